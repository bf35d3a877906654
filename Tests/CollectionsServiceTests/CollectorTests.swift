import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// Collectors and teams (sql/0022): the per-collector KPIs on a book worked out by
/// hand, the worklist per collector and per team, assignments refused in words
/// with nothing written.
@Suite struct CollectorTests {
    static let fixture = Task { try await ServiceFixture.make("collectors") }
    static let day = CalendarDate("2013-03-31")!

    struct Book {
        let fixture: ServiceFixture
        let tenant: Tenant
        let collectors: Collectors

        func execute(_ sql: SQL) async throws {
            try await fixture.service.withTenant(tenant.id) { tx in _ = try await tx.execute(sql) }
        }

        /// A note by `author` about `client` at noon UTC on `day`, a promise when `promise` is given.
        func note(_ client: String, by author: String, on day: String, promise: (Int64, String)? = nil) async throws {
            try await execute("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, author, outcome,
                                           promise_amount_minor, promise_currency, promise_date)
                SELECT \(tenant.id), c.id, (\(CalendarDate(day)!)::date + time '12:00') AT TIME ZONE 'UTC', 'call', \(author),
                       \(promise == nil ? "left_message" : "promise_to_pay"), \(promise?.0), \(promise == nil ? nil : "USD"),
                       \(promise.map { CalendarDate($0.1)! })
                FROM clients c WHERE c.tenant_id = \(tenant.id) AND c.ref = \(client)
                """)
        }

        /// A payment of `amount` minor units received and applied on `day` to the client's invoice.
        func pay(_ client: String, _ amount: Int64, on day: String, reversedOn: String? = nil) async throws {
            let reference = "\(client)-\(day)"
            try await execute("""
                WITH p AS (
                    INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on,
                                          reversed_on, reversal_reason)
                    SELECT \(tenant.id), c.id, \(reference), 'USD', \(amount), \(CalendarDate(day)!),
                           \(reversedOn.map { CalendarDate($0)! }), \(reversedOn == nil ? nil : "returned unpaid")
                    FROM clients c WHERE c.tenant_id = \(tenant.id) AND c.ref = \(client)
                    RETURNING id, client_id
                )
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT \(tenant.id), p.id, i.id, \(amount), \(CalendarDate(day)!)
                FROM p JOIN invoices i ON i.tenant_id = \(tenant.id) AND i.client_id = p.client_id
                """)
        }
    }

    /// The hand-computed book (DSO period 90 days: 2013-01-01 .. 2013-03-31, grace 0).
    /// Teams: North = ann, cy; South = bob. Clients A1, A2 are ann's, B1 bob's, C1
    /// cy's, U1 nobody's; each owes 1,000.00 USD due 2013-01-01.
    ///
    /// Promises (by the note's author):
    ///   ann  A1 02-01 100.00 by 02-10: paid 100.00 on 02-05           kept
    ///   ann  A2 02-01 200.00 by 02-20: paid 250.00 on 02-15           kept
    ///   ann  A1 03-01 300.00 by 03-10: 40.00 on 03-04, reversed 03-25 broken
    ///   ann  A2 2012-09-01 by 2012-09-15 (before the period), and 03-25 by
    ///        04-10 (not yet due): not counted
    ///   bob  B1 02-10 400.00 by 02-20: paid 100.00 on 02-17           broken
    ///   zed (no collector) C1 02-01 80.00 by 02-10: nothing paid      broken, nobody's
    ///        (not cy's, whose client C1 is: a promise is its author's)
    ///   => ann 2 of 3 = 66.67, bob 0 of 1 = 0.00, cy none = null
    ///
    /// Collected after contact (applications in the period, within 7 days after the
    /// latest collector's note about the client):
    ///   A1 02-05 100.00  ann's note 02-01 (4 days)                    ann
    ///   A2 02-15 250.00  ann's call 02-12 (3 days; 02-01 is 14)       ann
    ///   A1 03-04  40.00  reversed by 03-31: counts nothing
    ///   A1 03-20  50.00  ann's latest note 03-01 is 19 days before    nobody's
    ///   B1 02-17 100.00  bob 02-10 (7 days, the edge) but cy 02-14 is later: cy
    ///   B1 03-05  60.00  bob's call 03-03                             bob
    ///   U1 02-05  70.00  zed is no collector                          nobody's
    ///   C1 03-08  20.00  cy's call 03-01 (7 days, the edge; 03-09 is after) cy
    ///   C1 03-17   5.00  cy's latest call 03-09 is 8 days before      nobody's
    ///   => ann 350.00, bob 60.00, cy 120.00
    func handBook() async throws -> Book {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("coll")
        let collectors = Collectors(database: fixture.service, tenant: tenant.id)
        let book = Book(fixture: fixture, tenant: tenant, collectors: collectors)
        _ = try await collectors.createTeam(name: "North", actor: "test")
        _ = try await collectors.createTeam(name: "South", actor: "test")
        _ = try await collectors.create(handle: "ann", displayName: "Ann Lee", team: "North", actor: "test")
        _ = try await collectors.create(handle: "bob", team: "South", actor: "test")
        _ = try await collectors.create(handle: "cy", actor: "test")
        _ = try await collectors.move("cy", toTeam: "North", actor: "test")
        try await book.execute("""
            INSERT INTO clients (tenant_id, ref, name) SELECT \(tenant.id), r, 'Client ' || r
            FROM unnest(ARRAY['A1', 'A2', 'B1', 'C1', 'U1']) AS r
            """)
        try await book.execute("""
            INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
            SELECT \(tenant.id), c.id, 'INV-' || c.ref, 'USD', 100000, '2012-12-01', '2013-01-01'
            FROM clients c WHERE c.tenant_id = \(tenant.id)
            """)
        #expect(try await collectors.assign(clientRefs: ["A2", "A1"], to: "ann", actor: "test") == ["A1", "A2"])
        _ = try await collectors.assign(clientRefs: ["B1"], to: "bob", actor: "test")
        _ = try await collectors.assign(clientRefs: ["C1"], to: "cy", actor: "test")

        try await book.note("A1", by: "ann", on: "2013-02-01", promise: (10000, "2013-02-10"))
        try await book.note("A2", by: "ann", on: "2013-02-01", promise: (20000, "2013-02-20"))
        try await book.note("A1", by: "ann", on: "2013-03-01", promise: (30000, "2013-03-10"))
        try await book.note("A2", by: "ann", on: "2012-09-01", promise: (5000, "2012-09-15"))
        try await book.note("A2", by: "ann", on: "2013-03-25", promise: (5000, "2013-04-10"))
        try await book.note("A2", by: "ann", on: "2013-02-12")
        try await book.note("B1", by: "bob", on: "2013-02-10", promise: (40000, "2013-02-20"))
        try await book.note("B1", by: "cy", on: "2013-02-14")
        try await book.note("B1", by: "bob", on: "2013-03-03")
        try await book.note("C1", by: "cy", on: "2013-03-01")
        try await book.note("C1", by: "cy", on: "2013-03-09")
        try await book.note("U1", by: "zed", on: "2013-02-01")
        try await book.note("C1", by: "zed", on: "2013-02-01", promise: (8000, "2013-02-10"))

        try await book.pay("A1", 10000, on: "2013-02-05")
        try await book.pay("A2", 25000, on: "2013-02-15")
        try await book.pay("A1", 4000, on: "2013-03-04", reversedOn: "2013-03-25")
        try await book.pay("A1", 5000, on: "2013-03-20")
        try await book.pay("B1", 10000, on: "2013-02-17")
        try await book.pay("B1", 6000, on: "2013-03-05")
        try await book.pay("U1", 7000, on: "2013-02-05")
        try await book.pay("C1", 2000, on: "2013-03-08")
        try await book.pay("C1", 500, on: "2013-03-17")
        return book
    }

    typealias Figures = (due: Int, kept: Int, rate: Double?, collected: Int64)

    func byCollector(_ rows: [CollectorFigures]) -> [String: Figures] {
        Dictionary(uniqueKeysWithValues: rows.map {
            ($0.collector, (due: $0.promisesDue, kept: $0.promisesKept, rate: $0.promiseKeptRate,
                            collected: $0.collectedAfterContactMinor))
        })
    }

    @Test func promiseKeptAndCollectedAfterContactPerCollectorOnAHandComputedBook() async throws {
        let book = try await handBook()
        #expect(book.tenant.dsoPeriodDays == 90 && book.tenant.promiseGraceDays == 0)
        let rows = try await book.collectors.figures(book.tenant, asOf: Self.day)
        #expect(rows.map(\.collector) == ["ann", "bob", "cy"])
        #expect(rows.allSatisfy { $0.currency == "USD" })
        #expect(rows.map(\.team) == ["North", "South", "North"])
        #expect(rows.first?.name == "Ann Lee")
        let figures = byCollector(rows)
        #expect(figures["ann"]! == (due: 3, kept: 2, rate: 66.67, collected: 35000))
        #expect(figures["bob"]! == (due: 1, kept: 0, rate: 0.0, collected: 6000))
        #expect(figures["cy"]! == (due: 0, kept: 0, rate: nil, collected: 12000))

        // Before any contact: every collector listed, nothing due, every rate null.
        let january = byCollector(try await book.collectors.figures(book.tenant, asOf: CalendarDate("2013-01-15")!))
        #expect(january.count == 3)
        #expect(january.values.allSatisfy { $0.due == 0 && $0.rate == nil && $0.collected == 0 })

        // The tenant's own rate counts the same promises, and zed's too (5 due, 2 kept).
        let kpis = try await KPIs.compute(database: book.fixture.service, tenant: book.tenant, asOf: Self.day)
        #expect(kpis.currencies.first?.promisesDue == 5)
        #expect(kpis.currencies.first?.promisesKept == 2)
        // The KPI report carries the same figures, live and for a stored day.
        #expect(kpis.collectors == rows)
        _ = try await TenantDay(database: book.fixture.service).run(
            tenant: book.tenant, asOf: Self.day, runID: nil, onlyIfNotDone: false)
        let stored = try await StoredReports.kpis(database: book.fixture.service, tenant: book.tenant, asOf: Self.day)
        #expect(stored.collectors == rows)
        let json = try #require(try JSONSerialization.jsonObject(with: try ReportJSON.document(stored)) as? [String: Any])
        let entries = try #require(json["collectors"] as? [[String: Any]])
        #expect(Set(entries[0].keys) == [
            "collector", "name", "team", "currency", "promises_due", "promises_kept", "promise_kept_rate",
            "collected_after_contact_minor",
        ])
        #expect(entries[2]["promise_kept_rate"] is NSNull)
    }

    @Test func theWorklistPerCollectorAndPerTeamListsExactlyTheirClients() async throws {
        let book = try await handBook()
        let worklist = Worklist(database: book.fixture.service, tenant: book.tenant.id)
        func refs(collector: String? = nil, team: String? = nil) async throws -> [String] {
            try await worklist.compute(asOf: Self.day, collector: collector, team: team).entries.map(\.clientRef).sorted()
        }
        #expect(try await refs() == ["A1", "A2", "B1", "C1", "U1"])
        #expect(try await refs(collector: "ann") == ["A1", "A2"])
        #expect(try await refs(collector: "bob") == ["B1"])
        #expect(try await refs(team: "North") == ["A1", "A2", "C1"])
        #expect(try await refs(team: "South") == ["B1"])
        #expect(try await refs(collector: "bob", team: "North") == [])
        let report = try await worklist.compute(asOf: Self.day, team: "North")
        #expect(report.team == "North")
        let unknown = await #expect(throws: ServiceError.self) { try await worklist.compute(asOf: Self.day, team: "West") }
        #expect(unknown?.kind == .notFound)
        #expect(unknown?.message.contains("no team West") == true)
        // Moving a collector moves their clients with them.
        _ = try await book.collectors.move("cy", toTeam: nil, actor: "test")
        #expect(try await refs(team: "North") == ["A1", "A2"])
        #expect(try await book.collectors.teams().map(\.collectors) == [["ann"], ["bob"]])
    }

    /// What an assignment could change: the clients' collectors and the audit log.
    func assignments(_ book: Book) async throws -> String {
        try await book.fixture.service.withTenant(book.tenant.id) { tx async throws in
            let clients = try await tx.query("""
                SELECT string_agg(c.ref || '=' || coalesce(c.assigned_collector, '-'), ',' ORDER BY c.ref)
                FROM clients c WHERE c.tenant_id = \(book.tenant.id)
                """).scalar(String.self) ?? ""
            let audit = try await tx.query("SELECT count(*) FROM audit_log WHERE tenant_id = \(book.tenant.id)").scalar(Int.self) ?? 0
            return "\(clients) audit=\(audit)"
        }
    }

    @Test func anUnknownCollectorOrClientIsRefusedInWordsWithNothingWritten() async throws {
        let book = try await handBook()
        let before = try await assignments(book)
        #expect(before.hasPrefix("A1=ann,A2=ann,B1=bob,C1=cy,U1=-"), "\(before)")

        let unknown = await #expect(throws: ServiceError.self) {
            try await book.collectors.assign(clientRefs: ["U1", "A1"], to: "zed", actor: "test")
        }
        #expect(unknown?.kind == .notFound)
        #expect(unknown?.message == "no collector zed: add them first (collections-admin collector create)")
        let missingClient = await #expect(throws: ServiceError.self) {
            try await book.collectors.assign(clientRefs: ["U1", "NOPE"], to: "ann", actor: "test")
        }
        #expect(missingClient?.message == "no client NOPE; nothing was assigned")
        // The client record refuses an unknown collector too, and so does the database.
        let clients = Clients(database: book.fixture.service, tenant: book.tenant.id)
        let viaClient = await #expect(throws: ServiceError.self) {
            try await clients.update("U1", ClientChanges(assignedCollector: .some("zed")), actor: "test")
        }
        #expect(viaClient?.message.contains("no collector zed") == true)
        let raw = await #expect(throws: PostgresError.self) {
            try await book.fixture.service.withTenant(book.tenant.id, retry: .never) { tx in
                try await tx.execute("UPDATE clients SET assigned_collector = 'zed' WHERE tenant_id = \(book.tenant.id) AND ref = 'U1'")
            }
        }
        #expect(raw?.constraint == "clients_assigned_collector_fkey")
        #expect(try await assignments(book) == before)

        let duplicate = await #expect(throws: ServiceError.self) {
            try await book.collectors.create(handle: "ann", actor: "test")
        }
        #expect(duplicate?.kind == .conflict)
        let noTeam = await #expect(throws: ServiceError.self) {
            try await book.collectors.create(handle: "dee", team: "West", actor: "test")
        }
        #expect(noTeam?.message == "no team West: add it first (collections-admin team create)")
        #expect(try await book.collectors.list().map(\.handle) == ["ann", "bob", "cy"])

        // An assignment is audited per client with the collector before and after.
        _ = try await book.collectors.assign(clientRefs: ["U1"], to: "bob", actor: "test")
        let audit = try await book.fixture.service.withTenant(book.tenant.id) { tx async throws in
            try await tx.query("""
                SELECT before::text, after::text FROM audit_log
                WHERE tenant_id = \(book.tenant.id) AND action = 'assign' AND entity_id = 'U1'
                """).decode((String, String).self)
        }
        #expect(audit.count == 1)
        #expect(audit.first?.0 == #"{"assigned_collector": null}"#)
        #expect(audit.first?.1 == #"{"assigned_collector": "bob"}"#)
    }

    @Test func theCommandLineManagesCollectorsAndReportsTheirFigures() async throws {
        let book = try await handBook()
        let slug = book.tenant.slug
        let url = book.fixture.database.url(as: .admin)
        func admin(_ arguments: String...) async throws -> CommandResult {
            try await Executable.run("collections-admin", arguments, databaseURL: url)
        }
        #expect(try await admin("team", "create", slug, "East").status == 0)
        let created = try await admin("collector", "create", slug, "dee@lender.test", "--name", "Dee", "--team", "East")
        #expect(created.status == 0, "\(created.stderr)")
        let assigned = try await admin("collector", "assign", slug, "dee@lender.test", "U1")
        #expect(assigned.status == 0, "\(assigned.stderr)")
        let refused = try await admin("collector", "assign", slug, "nobody", "C1")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no collector nobody"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        let teams = try await admin("team", "list", slug, "--format", "csv")
        #expect(teams.stdout.contains("East,dee@lender.test"), "\(teams.stdout)")

        let worklist = try await admin("report", "worklist", slug, "--as-of", "2013-03-31", "--team", "East", "--format", "json")
        #expect(worklist.status == 0, "\(worklist.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(worklist.stdout.utf8)) as? [String: Any])
        #expect((list["entries"] as? [[String: Any]])?.compactMap { $0["client_ref"] as? String } == ["U1"])

        let report = try await admin("report", "collectors", slug, "--as-of", "2013-03-31", "--format", "json")
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["collectors"] as? [[String: Any]])
        #expect(rows.compactMap { $0["collector"] as? String } == ["ann", "bob", "cy", "dee@lender.test"])
        #expect(rows[0]["promise_kept_rate"] as? Double == 66.67)
        #expect(rows[0]["collected_after_contact_minor"] as? Int == 35000)
        #expect(rows[3]["promise_kept_rate"] is NSNull)
        let table = try await admin("report", "collectors", slug, "--as-of", "2013-03-31")
        #expect(table.stdout.contains("350.00"), "\(table.stdout)")
    }
}
