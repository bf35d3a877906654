import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// A fresh tenant with the entry points the notes and worklist suites use, and a
/// way to write a book straight into the tables.
struct NoteBook: Sendable {
    let fixture: ServiceFixture
    let tenant: Tenant

    var service: CollectionsDatabase { fixture.service }
    var notes: ContactNotes { ContactNotes(database: service, tenant: tenant.id) }
    var clients: Clients { Clients(database: service, tenant: tenant.id) }
    var invoices: Invoices { Invoices(database: service, tenant: tenant.id) }
    var worklist: Worklist { Worklist(database: service, tenant: tenant.id) }

    static func make(_ fixture: ServiceFixture, timeZone: String = "UTC", promiseGraceDays: Int? = nil) async throws -> NoteBook {
        var tenant = try await fixture.tenant("notes", timeZone: timeZone)
        if let promiseGraceDays {
            tenant = try await TenantRegistry(database: fixture.service).configure(
                tenant.slug, promiseGraceDays: promiseGraceDays, actor: "test")
        }
        return NoteBook(fixture: fixture, tenant: tenant)
    }

    func suspend() async throws { _ = try await TenantRegistry(database: service).suspend(tenant.slug, actor: "test") }
    func resume() async throws { _ = try await TenantRegistry(database: service).resume(tenant.slug, actor: "test") }

    func execute(_ sql: SQL) async throws {
        try await service.withTenant(tenant.id) { tx in _ = try await tx.execute(sql) }
    }

    /// A digest of every row the tenant has that a note or its audit could touch
    /// (the admin's own audit rows, of suspending and resuming, left out).
    func fingerprint() async throws -> String {
        try await service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT count(*) || ':' || md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM (
                    SELECT 'client ' || t::text AS r FROM clients t
                    UNION ALL SELECT 'invoice ' || t::text FROM invoices t
                    UNION ALL SELECT 'payment ' || t::text FROM payments t
                    UNION ALL SELECT 'note ' || t::text FROM contact_notes t
                    UNION ALL SELECT 'outcome ' || t::text FROM promise_outcomes t
                    UNION ALL SELECT 'audit ' || t::text FROM audit_log t WHERE t.entity <> 'tenant'
                ) rows
                """).scalar(String.self) ?? ""
        }
    }

    /// A client, written straight into the table.
    func client(
        _ ref: String, collector: String? = nil, doNotContact: Bool = false, status: String = "active"
    ) async throws {
        if let collector {
            // An assignment names a known collector (sql/0022).
            try await execute("""
                INSERT INTO collectors (tenant_id, handle, display_name) VALUES (current_tenant_id(), \(collector), \(collector))
                ON CONFLICT (tenant_id, handle) DO NOTHING
                """)
        }
        try await execute("""
            INSERT INTO clients (tenant_id, ref, name, assigned_collector, do_not_contact, status, agency_name, agency_placed_on)
            VALUES (current_tenant_id(), \(ref), \("Client " + ref), \(collector), \(doNotContact), \(status),
                    \(status == "agency" ? "Recoveries Ltd" : nil), \(status == "agency" ? CalendarDate("2013-01-01") : nil))
            """)
    }

    /// An invoice of `amount` (major units) issued 60 days before `due`.
    func invoice(_ number: String, client: String, amount: String, currency: String = "USD", due: String) async throws {
        let money = try Money(parsing: amount, currency: currency)
        let dueOn = CalendarDate(due)!
        try await execute("""
            INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
            SELECT current_tenant_id(), c.id, \(number), \(currency), \(money.amountMinor), \(dueOn.adding(days: -60)), \(dueOn)
            FROM clients c WHERE c.ref = \(client)
            """)
    }

    /// A payment from `client`, not applied to any invoice (promises count payments, not applications).
    func payment(
        _ reference: String, client: String, amount: String, currency: String = "USD", on date: String,
        reversedOn: String? = nil
    ) async throws {
        let money = try Money(parsing: amount, currency: currency)
        try await execute("""
            INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, reversed_on,
                                  reversal_reason)
            SELECT current_tenant_id(), c.id, \(reference), \(currency), \(money.amountMinor), \(CalendarDate(date)!),
                   \(reversedOn.flatMap { CalendarDate($0) }), \(reversedOn == nil ? nil : "bounced")
            FROM clients c WHERE c.ref = \(client)
            """)
    }

    /// A dispute on an invoice, open from `opened`.
    func dispute(_ number: String, opened: String) async throws {
        try await execute("""
            INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason)
            SELECT current_tenant_id(), i.id, i.amount_minor, \(CalendarDate(opened)!), 'wrong goods' FROM invoices i WHERE i.number = \(number)
            """)
    }

    /// A note through the service, at noon UTC of `day` unless `at` says when.
    @discardableResult
    func note(
        _ client: String, on day: String, at instant: Date? = nil, outcome: ContactOutcome? = .other,
        promise: (amount: String, currency: String, by: String)? = nil, followUp: String? = nil
    ) async throws -> ContactNote {
        try await notes.add(
            NewContactNote(
                clientRef: client, channel: .call, author: "dana", body: "called", outcome: promise == nil ? outcome : .promiseToPay,
                promiseAmount: try promise.map { try Money(parsing: $0.amount, currency: $0.currency) },
                promiseDate: promise.map { CalendarDate($0.by)! }, followUpOn: followUp.map { CalendarDate($0)! },
                notedAt: instant ?? noon(day)),
            actor: "test")
    }
}

func noteDay(_ text: String) -> CalendarDate { CalendarDate(text)! }

func noteUSD(_ text: String) -> Money { try! Money(parsing: text, currency: "USD") }

/// Noon UTC of a day.
func noon(_ day: String) -> Date { Date(timeIntervalSince1970: Double(noteDay(day).daysSinceEpoch * 86_400 + 43_200)) }

@Suite struct ContactNoteTests {
    static let fixture = Task { try await ServiceFixture.make("contactnotes") }

    func book(timeZone: String = "UTC", promiseGraceDays: Int? = nil) async throws -> NoteBook {
        try await NoteBook.make(Self.fixture.value, timeZone: timeZone, promiseGraceDays: promiseGraceDays)
    }

    // MARK: Adding

    @Test func aNoteBodyMayHoldLineBreaksAndTabsButNoOtherControlCharacter() async throws {
        let book = try await book()
        try await book.client("ACME")
        let body = "Called twice.\r\nOwner:\tsays next week\nwill call back"
        let note = try await book.notes.add(NewContactNote(clientRef: "ACME", channel: .call, body: body), actor: "t")
        #expect(note.body == body)
        for (new, message) in [
            (NewContactNote(clientRef: "ACME", channel: .call, body: "ok\n\u{1B}]0;owned\u{07}"), "the note body contains the control character U+001B (escape) at character 4"),
            (NewContactNote(clientRef: "ACME", channel: .call, author: "da\nna", body: "x"), "the author contains the control character U+000A (line feed) at character 3"),
        ] {
            let error = await #expect(throws: ServiceError.self) { try await book.notes.add(new, actor: "t") }
            #expect(error?.kind == .invalid)
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func addsANoteWithEveryFieldAndAuditsIt() async throws {
        let book = try await book(timeZone: "America/Chicago")
        try await book.client("ACME")
        try await book.invoice("INV-1", client: "ACME", amount: "1500.00", due: "2013-06-01")
        // 03:30 UTC on the 2nd is still the 1st in Chicago.
        let at = noon("2013-06-02").addingTimeInterval(-8.5 * 3600)
        let note = try await book.notes.add(
            NewContactNote(
                clientRef: "ACME", invoiceNumber: "INV-1", channel: .visit, direction: .inbound, author: "  dana ",
                body: "Owner says the cheque is in the post.", outcome: .promiseToPay, promiseAmount: noteUSD("1500.00"),
                promiseDate: noteDay("2013-06-10"), satisfaction: 4, followUpOn: noteDay("2013-06-11"), notedAt: at),
            actor: "dana@lender")
        #expect(note.clientRef == "ACME")
        #expect(note.invoiceNumber == "INV-1")
        #expect(note.channel == .visit)
        #expect(note.direction == .inbound)
        #expect(note.author == "dana")
        #expect(note.body == "Owner says the cheque is in the post.")
        #expect(note.outcome == .promiseToPay)
        #expect(note.promise == PromiseToPay(amount: noteUSD("1500.00"), date: noteDay("2013-06-10")))
        #expect(note.satisfaction == 4)
        #expect(note.followUpOn == noteDay("2013-06-11"))
        #expect(abs(note.notedAt.timeIntervalSince(at)) < 0.001)
        #expect(note.notedOn == noteDay("2013-06-01"))

        let listed = try await book.notes.list(clientRef: "ACME")
        #expect(listed.items == [note])
        #expect(listed.nextCursor == nil)

        let audit = try await book.service.withTenant(book.tenant.id) { tx in
            try await tx.query("SELECT action, actor, entity_id, after::text AS after FROM audit_log WHERE entity = 'contact_note'")
                .map { (try $0["action", as: String.self], try $0["actor", as: String.self],
                        try $0["entity_id", as: String.self], try $0["after", as: String.self]) }
        }
        #expect(audit.count == 1)
        #expect(audit.first?.0 == "create")
        #expect(audit.first?.1 == "dana@lender")
        #expect(audit.first?.2 == note.id.uuidString.lowercased())
        #expect(audit.first?.3.contains("\"satisfaction\": 4") == true)
    }

    @Test func aPlainNoteNeedsOnlyTheClientAndChannelAndIsNotedNow() async throws {
        let book = try await book()
        try await book.client("C1")
        let before = Date()
        let note = try await book.notes.add(NewContactNote(clientRef: "C1", channel: .email), actor: "t")
        #expect(note.notedAt.timeIntervalSince(before) > -5 && note.notedAt.timeIntervalSinceNow < 5)
        #expect(note.direction == .outbound)
        #expect(note.outcome == nil && note.promise == nil && note.satisfaction == nil && note.body == nil)
        #expect(note.author == nil && note.invoiceNumber == nil && note.followUpOn == nil)
        // A body of exactly 10,000 characters (code points, as the database counts) is accepted.
        let long = try await book.notes.add(
            NewContactNote(clientRef: "C1", channel: .letter, body: String(repeating: "é", count: 10_000)), actor: "t")
        #expect(long.body?.unicodeScalars.count == 10_000)
    }

    @Test func everyRefusalSaysWhyAndChangesNothing() async throws {
        let book = try await book()
        try await book.client("A")
        try await book.client("B")
        try await book.invoice("INV-A", client: "A", amount: "100.00", due: "2013-06-01")
        try await book.invoice("INV-B", client: "B", amount: "100.00", due: "2013-06-01")
        let at = noon("2013-06-15")
        let before = try await book.fingerprint()
        let cases: [(NewContactNote, ServiceError.Kind, String)] = [
            (NewContactNote(clientRef: "GHOST", channel: .call, notedAt: at),
             .notFound, "no client with ref \"GHOST\""),
            (NewContactNote(clientRef: "A", invoiceNumber: "INV-B", channel: .call, notedAt: at),
             .notFound, "client \"A\" has no invoice INV-B"),
            (NewContactNote(clientRef: "A", invoiceNumber: "INV-NONE", channel: .call, notedAt: at),
             .notFound, "client \"A\" has no invoice INV-NONE"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay, notedAt: at),
             .invalid, "a promise to pay needs the promised amount and date"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay, promiseDate: noteDay("2013-06-20"), notedAt: at),
             .invalid, "a promise to pay needs the promised amount"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay, promiseAmount: noteUSD("50.00"), notedAt: at),
             .invalid, "a promise to pay needs the date the client promised to pay by"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .leftMessage, promiseAmount: noteUSD("50.00"),
                            promiseDate: noteDay("2013-06-20"), notedAt: at),
             .invalid, "a promised amount or date is recorded only with the outcome promise_to_pay; this note's outcome is left_message"),
            (NewContactNote(clientRef: "A", channel: .call, promiseDate: noteDay("2013-06-20"), notedAt: at),
             .invalid, "a promised amount or date is recorded only with the outcome promise_to_pay; this note has no outcome"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay,
                            promiseAmount: Money(amountMinor: 0, currency: "USD"), promiseDate: noteDay("2013-06-20"), notedAt: at),
             .invalid, "the promised amount must be greater than 0, not 0.00 USD"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay,
                            promiseAmount: Money(amountMinor: 5, currency: "XYZ"), promiseDate: noteDay("2013-06-20"), notedAt: at),
             .invalid, "unknown currency \"XYZ\": use an ISO 4217 code such as USD"),
            (NewContactNote(clientRef: "A", channel: .call, outcome: .promiseToPay, promiseAmount: noteUSD("50.00"),
                            promiseDate: noteDay("2013-06-14"), notedAt: at),
             .invalid, "the promise date 2013-06-14 is before the day of the note, 2013-06-15"),
            (NewContactNote(clientRef: "A", channel: .call, followUpOn: noteDay("2013-06-01"), notedAt: at),
             .invalid, "the follow-up date 2013-06-01 is before the day of the note, 2013-06-15"),
            (NewContactNote(clientRef: "A", channel: .call, satisfaction: 7, notedAt: at),
             .invalid, "satisfaction must be between 1 and 5, got 7"),
            (NewContactNote(clientRef: "A", channel: .call, satisfaction: 0, notedAt: at),
             .invalid, "satisfaction must be between 1 and 5, got 0"),
            (NewContactNote(clientRef: "A", channel: .call, body: String(repeating: "x", count: 10_001), notedAt: at),
             .invalid, "the note body is 10001 characters long; at most 10000 are allowed"),
            (NewContactNote(clientRef: "A", channel: .call, body: "before\u{0}after", notedAt: at),
             .invalid, "the note body contains the control character U+0000 (NUL) at character 7: control characters other than tab, line feed and carriage return are not allowed"),
            (NewContactNote(clientRef: "A", channel: .call, author: String(repeating: "a", count: 201), notedAt: at),
             .invalid, "the author is 201 characters long; at most 200 are allowed"),
        ]
        for (new, kind, message) in cases {
            let error = await #expect(throws: ServiceError.self, "\(message)") { try await book.notes.add(new, actor: "t") }
            #expect(error?.kind == kind)
            #expect(error?.message == message)
        }
        let noActor = await #expect(throws: ServiceError.self) {
            try await book.notes.add(NewContactNote(clientRef: "A", channel: .call), actor: "  ")
        }
        #expect(noActor?.kind == .invalid)
        #expect(try await book.fingerprint() == before)
        #expect(try await book.notes.list(clientRef: "A").items.isEmpty)
    }

    @Test func anotherTenantsClientAndInvoiceAreNotFoundLikeMissingOnes() async throws {
        let mine = try await book()
        let theirs = try await book()
        try await mine.client("MINE")
        try await theirs.client("THEIRS")
        try await theirs.invoice("INV-T", client: "THEIRS", amount: "10.00", due: "2013-06-01")
        let client = await #expect(throws: ServiceError.self) {
            try await mine.notes.add(NewContactNote(clientRef: "THEIRS", channel: .call), actor: "t")
        }
        #expect(client?.message == "no client with ref \"THEIRS\"")
        let invoice = await #expect(throws: ServiceError.self) {
            try await mine.notes.add(NewContactNote(clientRef: "MINE", invoiceNumber: "INV-T", channel: .call), actor: "t")
        }
        #expect(invoice?.message == "client \"MINE\" has no invoice INV-T")
        let list = await #expect(throws: ServiceError.self) { try await mine.notes.list(clientRef: "THEIRS") }
        #expect(list?.kind == .notFound)
    }

    @Test func aSuspendedTenantCanNeitherAddNorRead() async throws {
        let book = try await book()
        try await book.client("S1")
        try await book.note("S1", on: "2013-06-01", promise: ("10.00", "USD", "2013-06-05"))
        let before = try await book.fingerprint()
        try await book.suspend()
        for operation in [
            { _ = try await book.notes.add(NewContactNote(clientRef: "S1", channel: .sms), actor: "t") },
            { _ = try await book.notes.list(clientRef: "S1") },
            { _ = try await book.notes.promises(asOf: noteDay("2013-06-30")) },
            { _ = try await book.notes.brokenPromises(clientRef: "S1") },
            { _ = try await book.worklist.compute(asOf: noteDay("2013-06-30")) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: ServiceError.self) { try await operation() }
            #expect(error?.kind == .suspended)
        }
        try await book.resume()
        #expect(try await book.fingerprint() == before)
        #expect(try await book.notes.list(clientRef: "S1").items.count == 1)
    }

    // MARK: Listing

    @Test func listsAClientsNotesNewestFirstAPageAtATime() async throws {
        let book = try await book()
        try await book.client("L")
        try await book.client("OTHER")
        var made: [ContactNote] = []
        for day in ["2013-06-03", "2013-06-01", "2013-06-05", "2013-06-02"] {
            made.append(try await book.note("L", on: day))
        }
        // Two notes at the same instant, and notes a microsecond apart: the order is
        // (noted_at, id) descending and no page repeats or skips one.
        let instant = Date(timeIntervalSince1970: 1_370_000_000.123456)
        made.append(try await book.note("L", on: "2013-05-31", at: instant))
        made.append(try await book.note("L", on: "2013-05-31", at: instant))
        made.append(try await book.note("L", on: "2013-05-31", at: instant.addingTimeInterval(0.000001)))
        try await book.note("OTHER", on: "2013-06-04")

        var pages: [[UUID]] = []
        var cursor: String?
        repeat {
            let page = try await book.notes.list(clientRef: "L", after: cursor, limit: 2)
            pages.append(page.items.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(pages.map(\.count) == [2, 2, 2, 1])
        let all = try await book.notes.list(clientRef: "L", limit: 10).items
        #expect(pages.flatMap { $0 } == all.map(\.id))
        #expect(Set(all.map(\.id)) == Set(made.map(\.id)))
        #expect(Array(all.map(\.notedOn.description).prefix(4)) == ["2013-06-05", "2013-06-03", "2013-06-02", "2013-06-01"])
        for (newer, older) in zip(all, all.dropFirst()) {
            #expect(newer.notedAt >= older.notedAt)
        }

        let bad = await #expect(throws: ServiceError.self) { try await book.notes.list(clientRef: "L", after: "yesterday") }
        #expect(bad?.kind == .invalid)
        await #expect(throws: ServiceError.self) { try await book.notes.list(clientRef: "L", limit: 0) }
        let missing = await #expect(throws: ServiceError.self) { try await book.notes.list(clientRef: "NOPE") }
        #expect(missing?.message == "no client with ref \"NOPE\"")
    }

    // MARK: Promises

    @Test func promisesAreOpenKeptOrBrokenAsOfADate() async throws {
        // Grace of 2 days; the tenant's day is Chicago's.
        let book = try await book(timeZone: "America/Chicago", promiseGraceDays: 2)
        try await book.client("P")
        try await book.client("Q")
        // Made on June 1st in Chicago (03:00 UTC on the 2nd): a payment on the 1st counts.
        let paidInParts = try await book.note(
            "P", on: "2013-06-02", at: noon("2013-06-02").addingTimeInterval(-9 * 3600),
            promise: ("500.00", "USD", "2013-06-10"))
        let unpaid = try await book.note("P", on: "2013-06-01", promise: ("1000.00", "USD", "2013-06-05"))
        let otherCurrency = try await book.note("P", on: "2013-06-01", promise: ("50.00", "EUR", "2013-06-05"))
        let bounced = try await book.note("Q", on: "2013-06-01", promise: ("100.00", "USD", "2013-06-03"))
        try await book.payment("P-0", client: "P", amount: "1.00", on: "2013-05-31")     // before the promise: never counts
        try await book.payment("P-1", client: "P", amount: "200.00", on: "2013-06-01")
        try await book.payment("P-2", client: "P", amount: "300.00", on: "2013-06-12")   // the last day of grace
        try await book.payment("Q-1", client: "Q", amount: "100.00", on: "2013-06-02", reversedOn: "2013-06-20")

        func states(_ asOf: String, client: String? = nil) async throws -> [UUID: (PromiseState.State, Int64)] {
            var result: [UUID: (PromiseState.State, Int64)] = [:]
            for promise in try await book.notes.promises(clientRef: client, asOf: noteDay(asOf)) {
                result[promise.noteID] = (promise.state, promise.paid.amountMinor)
            }
            return result
        }

        // Before any promise was made: none.
        #expect(try await book.notes.promises(asOf: noteDay("2013-05-31")).isEmpty)
        let june7 = try await states("2013-06-07")
        #expect(june7[paidInParts.id]! == (.open, 20_000))
        #expect(june7[unpaid.id]! == (.open, 20_000))   // 5th + 2 days of grace: still open on the 7th
        #expect(june7[otherCurrency.id]! == (.open, 0)) // USD payments never count for EUR
        #expect(june7[bounced.id]! == (.kept, 10_000))
        let june8 = try await states("2013-06-08")
        #expect(june8[unpaid.id]! == (.broken, 20_000))
        #expect(june8[otherCurrency.id]! == (.broken, 0))
        #expect(june8[paidInParts.id]! == (.open, 20_000))
        let june12 = try await states("2013-06-12")
        #expect(june12[paidInParts.id]! == (.kept, 50_000))
        // Reversed on the 20th: from then on the payment never happened.
        let june20 = try await states("2013-06-20")
        #expect(june20[bounced.id]! == (.broken, 0))
        #expect(june20[paidInParts.id]! == (.kept, 50_000))

        let onlyQ = try await book.notes.promises(clientRef: "Q", asOf: noteDay("2013-06-19"))
        #expect(onlyQ.map(\.noteID) == [bounced.id])
        #expect(onlyQ.first?.madeOn == noteDay("2013-06-01"))
        #expect(onlyQ.first?.deadline == noteDay("2013-06-05"))
        #expect(onlyQ.first?.promised == noteUSD("100.00"))
        let first = try #require(try await book.notes.promises(clientRef: "P", asOf: noteDay("2013-06-30")).first { $0.noteID == paidInParts.id })
        #expect(first.madeOn == noteDay("2013-06-01"))
        #expect(first.brokenOn == nil)
        let broken = try #require(try await book.notes.promises(clientRef: "P", asOf: noteDay("2013-06-30")).first { $0.noteID == unpaid.id })
        #expect(broken.brokenOn == noteDay("2013-06-08"))

        let missing = await #expect(throws: ServiceError.self) {
            try await book.notes.promises(clientRef: "NOPE", asOf: noteDay("2013-06-30"))
        }
        #expect(missing?.kind == .notFound)
    }

    @Test func theWorkersStoredDecisionsAgreeWithPromisesAsOfADayAfterTheGrace() async throws {
        let book = try await book(timeZone: "Pacific/Auckland", promiseGraceDays: 3)
        try await book.client("W1")
        try await book.client("W2")
        try await book.invoice("INV-W1", client: "W1", amount: "900.00", due: "2013-05-01")
        // Made on the 2nd in Auckland (18:00 UTC on the 1st).
        let tz = noon("2013-06-01").addingTimeInterval(6 * 3600)
        let kept = try await book.note("W1", on: "2013-06-01", at: tz, promise: ("300.00", "USD", "2013-06-10"))
        let keptInGrace = try await book.note("W1", on: "2013-06-04", promise: ("600.00", "USD", "2013-06-12"))
        let short = try await book.note("W1", on: "2013-06-05", promise: ("5000.00", "USD", "2013-06-08"))
        let late = try await book.note("W2", on: "2013-06-01", promise: ("100.00", "USD", "2013-06-05"))
        let never = try await book.note("W2", on: "2013-06-20", promise: ("100.00", "USD", "2013-06-25"))
        let notYet = try await book.note("W2", on: "2013-06-20", promise: ("100.00", "USD", "2013-07-20"))
        try await book.payment("W1-1", client: "W1", amount: "300.00", on: "2013-06-01")   // the 1st: before the promise of the 2nd
        try await book.payment("W1-2", client: "W1", amount: "400.00", on: "2013-06-09")
        try await book.payment("W1-3", client: "W1", amount: "200.00", on: "2013-06-15")   // the 12th + 3 days of grace
        try await book.payment("W2-1", client: "W2", amount: "100.00", on: "2013-06-09")   // the 5th + 3: one day late

        let day = TenantDay(database: book.service)
        for asOf in ["2013-06-12", "2013-07-01"] {
            _ = try await day.run(tenant: book.tenant, asOf: noteDay(asOf), runID: nil, onlyIfNotDone: false)
        }
        let stored = try await book.service.withTenant(book.tenant.id) { tx in
            try await tx.query("SELECT note_id, state, paid_minor FROM promise_outcomes").map {
                (try $0["note_id", as: UUID.self], try $0["state", as: String.self], try $0["paid_minor", as: Int64.self])
            }
        }
        let asOf = try await book.notes.promises(asOf: noteDay("2013-07-01"))
        // Everything past its grace on July 1st is decided, and decided the same way.
        let decided = asOf.filter { $0.state != .open }
        #expect(Set(stored.map(\.0)) == Set(decided.map(\.noteID)))
        for (note, state, paid) in stored {
            let live = try #require(decided.first { $0.noteID == note })
            #expect(live.state.rawValue == state)
            #expect(live.paid.amountMinor == paid)
        }
        #expect(asOf.first { $0.noteID == notYet.id }?.state == .open)
        let expected: [UUID: PromiseState.State] = [
            kept.id: .kept, keptInGrace.id: .kept, short.id: .broken, late.id: .broken, never.id: .broken,
        ]
        for (note, state) in expected { #expect(decided.first { $0.noteID == note }?.state == state) }
        #expect(decided.first { $0.noteID == kept.id }?.paid == noteUSD("400.00"))

        // The client's record: the broken ones, newest first.
        let record = try await book.notes.brokenPromises(clientRef: "W2")
        #expect(record.map(\.noteID) == [never.id, late.id])
        #expect(record.map(\.decidedOn) == [noteDay("2013-06-29"), noteDay("2013-06-09")])
        #expect(record.last?.paid == Money(amountMinor: 0, currency: "USD"))
        #expect(record.first?.promised == noteUSD("100.00"))
        #expect(try await book.notes.brokenPromises(clientRef: "W1").map(\.noteID) == [short.id])
    }
}
