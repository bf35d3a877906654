import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct WorklistTests {
    static let fixture = Task { try await ServiceFixture.make("worklist") }
    static let day = noteDay("2013-06-30")

    /// A small book as of 2013-06-30 whose scores are worked out by hand (standard rules):
    ///
    ///   A  12,345.00 USD due 03-27: 95 days. 41 + 30, a promise broken 05-16 (+15; one
    ///      broken 03-02 is outside the 90 days), latest note's follow-up 06-28 (+20) = 106
    ///   J  100.00 EUR 10 days (20) and 50,000 JPY 5 days (47): max 47, + 10/3 = 3  =  50
    ///   D  1,000.00 USD due 05-21: 40 days. 30 + 13                                 =  43
    ///   B  as D, and 800.00 USD in dispute (-10)                                    =  33
    ///   H  nothing owed, follow-up due 06-30                                        =  20
    ///   C  as D, with an open promise of 500.00 USD due 07-05 (-50)                 =  -7
    /// Not listed: E (do not contact), F (agency), G (closed), all owing (3 excluded);
    /// I (owes, not yet due), K (follow-up not yet due), L (latest note has no
    /// follow-up), M (only a disputed balance), N (do not contact, owes nothing).
    func standardBook() async throws -> NoteBook {
        let book = try await NoteBook.make(Self.fixture.value)
        for (ref, collector) in [("A", "dana"), ("B", "dana"), ("C", "lee"), ("D", "lee"), ("H", nil), ("I", "lee"),
                                 ("J", nil), ("K", nil), ("L", nil), ("M", nil)] as [(String, String?)] {
            try await book.client(ref, collector: collector)
        }
        try await book.client("E", collector: "dana", doNotContact: true)
        try await book.client("F", collector: "lee", status: "agency")
        try await book.client("G", status: "closed")
        try await book.client("N", doNotContact: true)

        try await book.invoice("A-1", client: "A", amount: "12345.00", due: "2013-03-27")
        try await book.note("A", on: "2013-02-20", promise: ("100.00", "USD", "2013-03-01"))
        try await book.note("A", on: "2013-05-01", promise: ("1000.00", "USD", "2013-05-15"))
        try await book.note("A", on: "2013-06-20", followUp: "2013-06-28")

        try await book.invoice("J-1", client: "J", amount: "100.00", currency: "EUR", due: "2013-06-20")
        try await book.invoice("J-2", client: "J", amount: "50000", currency: "JPY", due: "2013-06-25")

        for ref in ["B", "C", "D"] {
            try await book.invoice("\(ref)-1", client: ref, amount: "1000.00", due: "2013-05-21")
        }
        try await book.invoice("B-2", client: "B", amount: "800.00", due: "2013-06-10")
        try await book.dispute("B-2", opened: "2013-06-01")
        try await book.note("C", on: "2013-06-25", promise: ("500.00", "USD", "2013-07-05"))

        try await book.note("H", on: "2013-06-29", followUp: "2013-06-30")

        for ref in ["E", "F", "G"] {
            try await book.invoice("\(ref)-1", client: ref, amount: "5000.00", due: "2013-04-01")
        }
        try await book.invoice("I-1", client: "I", amount: "9999.00", due: "2013-07-15")
        try await book.note("K", on: "2013-06-29", followUp: "2013-07-02")
        try await book.note("L", on: "2013-06-01", followUp: "2013-06-10")
        try await book.note("L", on: "2013-06-15")
        try await book.invoice("M-1", client: "M", amount: "700.00", due: "2013-05-01")
        try await book.dispute("M-1", opened: "2013-05-15")
        return book
    }

    @Test func ranksAHandBuiltBookWithScoresAndReasonsWorkedOutByHand() async throws {
        let book = try await standardBook()
        let report = try await book.worklist.compute(asOf: Self.day)
        #expect(report.asOf == Self.day)
        #expect(report.entries.map(\.clientRef) == ["A", "J", "D", "B", "H", "C"])
        #expect(report.entries.map(\.rank) == [1, 2, 3, 4, 5, 6])
        #expect(report.entries.map(\.score) == [106, 50, 43, 33, 20, -7])
        let reasons = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.clientRef, $0.reasons.map(\.description)) })
        #expect(reasons["A"] == [
            "overdue 12,345.00 USD (+41)", "95 days past due (+30)", "1 broken promise in the last 90 days (+15)",
            "follow-up due 2013-06-28 (+20)",
        ])
        #expect(reasons["J"] == ["overdue 100.00 EUR + 50,000 JPY (+47)", "10 days past due (+3)"])
        #expect(reasons["D"] == ["overdue 1,000.00 USD (+30)", "40 days past due (+13)"])
        #expect(reasons["B"] == ["overdue 1,000.00 USD (+30)", "40 days past due (+13)", "1 invoice in dispute (800.00 USD) (-10)"])
        #expect(reasons["H"] == ["follow-up due 2013-06-30 (+20)"])
        #expect(reasons["C"] == ["overdue 1,000.00 USD (+30)", "40 days past due (+13)", "promise of 500.00 USD due 2013-07-05 (-50)"])

        let a = try #require(report.entries.first)
        #expect(a.clientName == "Client A")
        #expect(a.collector == "dana")
        #expect(a.overdue == [WorklistEntry.Amount(currency: "USD", amountMinor: 1_234_500)])
        #expect(a.oldestDaysPastDue == 95)
        let j = report.entries[1]
        #expect(j.overdue.map(\.currency) == ["EUR", "JPY"])
        #expect(report.entries[4].oldestDaysPastDue == nil)
        #expect(report.entries[4].overdue.isEmpty)

        #expect(report.excluded == WorklistReport.Excluded(closed: 1, agency: 1, doNotContact: 1))
        #expect(report.excluded.total == 3)
    }

    @Test func theReasonsAlwaysAddUpToTheScore() async throws {
        let book = try await standardBook()
        for asOf in ["2013-03-01", "2013-05-20", "2013-06-30", "2013-07-06", "2013-09-30"] {
            for entry in try await book.worklist.compute(asOf: noteDay(asOf)).entries {
                #expect(entry.reasons.map(\.points).reduce(0, +) == entry.score, "\(asOf) \(entry.clientRef)")
                #expect(!entry.reasons.isEmpty)
            }
        }
        // Later, C's promise has broken: it now scores for the broken promise instead.
        let later = try await book.worklist.compute(asOf: noteDay("2013-07-06"))
        let c = try #require(later.entries.first { $0.clientRef == "C" })
        #expect(c.reasons.map(\.description) == [
            "overdue 1,000.00 USD (+30)", "46 days past due (+15)", "1 broken promise in the last 90 days (+15)",
        ])
    }

    @Test func anOpenPromiseRanksAClientBelowAnEqualOneWithout() async throws {
        let book = try await NoteBook.make(Self.fixture.value)
        for ref in ["WITH", "WITHOUT"] {
            try await book.client(ref)
            try await book.invoice("\(ref)-1", client: ref, amount: "2500.00", due: "2013-06-01")
        }
        let before = try await book.worklist.compute(asOf: Self.day)
        #expect(before.entries.map(\.score) == [before.entries[0].score, before.entries[0].score])
        try await book.note("WITH", on: "2013-06-28", promise: ("2500.00", "USD", "2013-07-05"))
        let after = try await book.worklist.compute(asOf: Self.day)
        #expect(after.entries.map(\.clientRef) == ["WITHOUT", "WITH"])
        #expect(after.entries[1].score == after.entries[0].score - 50)
        #expect(after.entries[1].reasons.last == WorklistReason(reason: "promise of 2,500.00 USD due 2013-07-05", points: -50))
        // Once kept, the promise no longer holds the client back (and nothing overdue is left to chase).
        try await book.payment("WITH-P", client: "WITH", amount: "2500.00", on: "2013-06-29")
        try await book.execute("""
            INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
            SELECT current_tenant_id(), p.id, i.id, p.amount_minor, p.received_on
            FROM payments p, invoices i WHERE p.reference = 'WITH-P' AND i.number = 'WITH-1'
            """)
        #expect(try await book.worklist.compute(asOf: Self.day).entries.map(\.clientRef) == ["WITHOUT"])
    }

    @Test func filtersByCollectorAndLimits() async throws {
        let book = try await standardBook()
        let dana = try await book.worklist.compute(asOf: Self.day, collector: "dana")
        #expect(dana.collector == "dana")
        #expect(dana.entries.map(\.clientRef) == ["A", "B"])
        #expect(dana.entries.map(\.rank) == [1, 2])
        #expect(dana.excluded == WorklistReport.Excluded(closed: 0, agency: 0, doNotContact: 1))
        let lee = try await book.worklist.compute(asOf: Self.day, collector: "lee")
        #expect(lee.entries.map(\.clientRef) == ["D", "C"])
        #expect(lee.excluded == WorklistReport.Excluded(closed: 0, agency: 1, doNotContact: 0))
        let unknown = await #expect(throws: ServiceError.self) {
            try await book.worklist.compute(asOf: Self.day, collector: "nobody")
        }
        #expect(unknown?.message == "no collector nobody: add them first (collections-admin collector create)")

        let top = try await book.worklist.compute(asOf: Self.day, limit: 2)
        #expect(top.entries.map(\.clientRef) == ["A", "J"])
        #expect(top.excluded.total == 3)
        await #expect(throws: ServiceError.self) { try await book.worklist.compute(asOf: Self.day, limit: 0) }
    }

    @Test func anEmptyBookHasNobodyToContact() async throws {
        let book = try await NoteBook.make(Self.fixture.value)
        let report = try await book.worklist.compute(asOf: Self.day)
        #expect(report.entries.isEmpty)
        #expect(report.excluded.total == 0)
        // Today, by default.
        _ = try await book.worklist.compute()
    }

    @Test func onlyFactsDatedOnOrBeforeTheDayCount() async throws {
        let book = try await standardBook()
        // On March 1st only A's invoice was issued (60 days before due) and not yet due,
        // and its first promise is open.
        let march = try await book.worklist.compute(asOf: noteDay("2013-03-01"))
        #expect(march.entries.isEmpty)
        #expect(march.excluded.total == 0)
    }

    @Test func printsATableCSVAndJSON() async throws {
        let book = try await standardBook()
        let slug = book.tenant.slug
        let url = book.fixture.database.url(as: .admin)
        let table = try await Executable.run(
            "collections-admin", ["report", "worklist", slug, "--as-of", "2013-06-30"], databaseURL: url)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("worklist as of 2013-06-30"))
        #expect(table.stdout.contains("overdue 12,345.00 USD (+41); 95 days past due (+30); 1 broken promise in the last 90 days (+15); follow-up due 2013-06-28 (+20)"))
        #expect(table.stdout.contains("excluded: 3 clients not to be chased (1 do not contact, 1 with an agency, 1 closed)"))

        let csv = try await Executable.run(
            "collections-admin", ["report", "worklist", slug, "--as-of", "2013-06-30", "--collector", "dana", "--format", "csv"],
            databaseURL: url)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "rank,client,name,collector,overdue,days past due,score,next call,reasons")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("1,A,Client A,dana,\"12,345.00 USD\",95,106,can call now,"))

        let json = try await Executable.run(
            "collections-admin", ["report", "worklist", slug, "--as-of", "2013-06-30", "--limit", "5", "--format", "json"],
            databaseURL: url)
        #expect(json.status == 0, "\(json.stderr)")
        // The whole report: the day and the rules with the entries, not the entries alone.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["as_of"] as? String == "2013-06-30")
        #expect(report["excluded"] is [String: Any] && report["rules"] is [String: Any])
        let entries = try #require(report["entries"] as? [[String: Any]])
        #expect(entries.count == 5)
        #expect(Set(entries[0].keys) == [
            "rank", "client_ref", "client_name", "collector", "score", "overdue", "oldest_days_past_due", "reasons",
            "next_contact",
        ])
        #expect(entries[0]["score"] as? Int == 106)
        #expect((entries[0]["overdue"] as? [[String: Any]])?.first?["amount_minor"] as? Int == 1_234_500)
        #expect((entries[0]["reasons"] as? [[String: Any]])?.first?["reason"] as? String == "overdue 12,345.00 USD")
        #expect((entries[0]["reasons"] as? [[String: Any]])?.first?["points"] as? Int == 41)
        let h = try #require(entries.first { $0["client_ref"] as? String == "H" })
        #expect(h["collector"] is NSNull)
        #expect(h["oldest_days_past_due"] is NSNull)

        let unknown = try await Executable.run("collections-admin", ["report", "worklist", "no-such-tenant"], databaseURL: url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no tenant with slug \"no-such-tenant\""))
        let badLimit = try await Executable.run("collections-admin", ["report", "worklist", slug, "--limit", "0"], databaseURL: url)
        #expect(badLimit.status == 64)
    }
}
