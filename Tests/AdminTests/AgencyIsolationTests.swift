import CollectionsService
import Foundation
import Postgres
import TestSupport
import Testing

/// An agency's role sees and writes only the accounts placed with it, enforced by
/// the database: attacked as the HTTP server's login, which takes
/// `collections_agency` for an agency's work, with the tenant and agency set as
/// the server sets them, and with forged ones.
@Suite(.serialized) struct AgencyIsolationTests {
    struct Book {
        let fixture: ServiceFixture
        let a: Tenant
        let b: Tenant
        /// Tenant A's agency with client P placed, and one with nothing placed.
        let agency: Agency
        let idle: Agency
        /// Tenant B's agency, with B's P placed.
        let bAgency: Agency
        let placed: UUID
        let unplaced: UUID
        let bPlaced: UUID
        let placement: UUID
        let tables: [String]
    }

    static let book = Task<Book, any Error> {
        let fixture = try await ServiceFixture.make("agency_isolation")
        let a = try await fixture.tenant("a")
        let b = try await fixture.tenant("b")
        func seed(_ tenant: Tenant) async throws -> (Agency, UUID, UUID, UUID) {
            let agencies = Agencies(database: fixture.service, tenant: tenant.id)
            let agency = try await agencies.create(name: "Recoveries Inc", commissionBP: 1500, actor: "test")
            let (placed, unplaced) = try await fixture.service.withTenant(tenant.id) { tx async throws in
                var ids: [UUID] = []
                for ref in ["P", "U"] {
                    let client = try await tx.query("""
                        INSERT INTO clients (tenant_id, ref, name) VALUES (\(tenant.id), \(ref), 'Client') RETURNING id
                        """).scalar(UUID.self)!
                    for n in 1...2 {
                        try await tx.execute("""
                            INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                            VALUES (\(tenant.id), \(client), \("\(ref)-\(n)"), 'USD', 10000, '2013-01-01', '2013-01-31')
                            """)
                    }
                    try await tx.execute("""
                        INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body)
                        VALUES (\(tenant.id), \(client), now(), 'call', 'the lender called')
                        """)
                    ids.append(client)
                }
                return (ids[0], ids[1])
            }
            let placement = try await agencies.place(clientRef: "P", agency: agency.name, on: CalendarDate("2013-03-01")!,
                                                     actor: "test")
            _ = try await agencies.remit(placement: placement.id, reference: "AG-\(tenant.slug)",
                                         amount: Money(amountMinor: 2500, currency: "USD"),
                                         receivedOn: CalendarDate("2013-03-05")!, actor: "test")
            return (agency, placed, unplaced, placement.id)
        }
        let (agency, placed, unplaced, placement) = try await seed(a)
        let (bAgency, bPlaced, _, _) = try await seed(b)
        let idle = try await Agencies(database: fixture.service, tenant: a.id).create(
            name: "Idle Agency", commissionBP: 0, actor: "test")
        let connection = try await fixture.database.connect()
        let tables = try await connection.query("""
            SELECT c.relname FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname
            """).map { try $0.decode(String.self, at: 0) }
        await connection.close()
        return Book(fixture: fixture, a: a, b: b, agency: agency, idle: idle, bAgency: bAgency, placed: placed,
                    unplaced: unplaced, bPlaced: bPlaced, placement: placement, tables: tables)
    }

    /// A raw transaction as the server's login in an agency's role, with the
    /// tenant and agency set as the server sets them (nil: not set).
    static func asAgency<T>(
        tenant: UUID?, agency: UUID?, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let book = try await book.value
        let connection = try await PostgresConnection.connect(book.fixture.database.configuration(as: .server))
        defer { Task { await connection.close() } }
        return try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_agency")
            if let tenant { try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: tenant)) }
            if let agency { try await tx.simpleQuery(SQL.setLocal("app.agency_id", to: agency)) }
            return try await body(tx)
        }
    }

    /// The error `statement` raises for the agency, or nil when it ran.
    static func failure(tenant: UUID?, agency: UUID?, _ statement: SQL) async throws -> PostgresError? {
        do {
            try await asAgency(tenant: tenant, agency: agency) { tx in _ = try await tx.query(statement) }
            return nil
        } catch let error as PostgresError {
            return error
        }
    }

    /// What the agency sees of every tenant table: its row count, or nil when
    /// the role may not read it at all.
    static func visible(tenant: UUID?, agency: UUID?) async throws -> [String: Int?] {
        let book = try await book.value
        var seen: [String: Int?] = [:]
        for table in book.tables {
            do {
                seen[table] = try await asAgency(tenant: tenant, agency: agency) { tx async throws in
                    try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self)
                }
            } catch let error as PostgresError where error.kind == .insufficientPrivilege {
                seen[table] = .some(nil)
            }
        }
        return seen
    }

    /// The tables an agency reads; every other tenant table (reports, imports,
    /// webhooks, dunning, templates, keys, audit, placements) is refused by grants.
    static let readable: Set<String> = ["clients", "invoices", "payments", "payment_applications", "contact_notes",
                                        "invoice_charges", "write_offs", "disputes", "promise_outcomes"]

    @Test func anAgencySeesOnlyItsPlacedClientItsInvoicesAndWhatItCollected() async throws {
        let book = try await Self.book.value
        let seen = try await Self.visible(tenant: book.a.id, agency: book.agency.id)
        #expect(Set(seen.filter { $0.value != nil }.keys) == Self.readable, "\(seen)")
        #expect(seen["clients"] == 1 && seen["invoices"] == 2 && seen["payments"] == 1
                && seen["payment_applications"] == 1, "\(seen)")
        try await Self.asAgency(tenant: book.a.id, agency: book.agency.id) { tx async throws in
            #expect(try await tx.query("SELECT count(*) FROM clients WHERE id = \(book.unplaced)").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM invoices WHERE client_id = \(book.unplaced)").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM invoices WHERE number LIKE 'U-%'").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM clients WHERE ref = 'U' OR tenant_id = \(book.b.id)").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT ref FROM clients").scalar(String.self) == "P")
            // The lender's own notes stay the lender's; the agency sees the ones it wrote.
            #expect(try await tx.query("SELECT count(*) FROM contact_notes WHERE body = 'the lender called'").scalar(Int.self) == 0)
        }
    }

    @Test func reportsImportsWebhooksDunningKeysAndPlacementsAreRefusedByGrants() async throws {
        let book = try await Self.book.value
        for statement: SQL in [
            "SELECT * FROM report_agency_recovery(\(book.a.id), '2013-06-30')",
            "SELECT count(*) FROM kpi_snapshots", "SELECT count(*) FROM webhook_endpoints", "SELECT count(*) FROM api_keys",
            "SELECT count(*) FROM dunning_messages", "SELECT count(*) FROM message_templates", "SELECT count(*) FROM audit_log",
            "SELECT count(*) FROM agency_remittances", "SELECT count(*) FROM idempotency_keys",
            "UPDATE clients SET name = 'mine'", "DELETE FROM contact_notes", "UPDATE invoices SET amount_minor = 1",
            "INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on) VALUES (\(book.a.id), \(book.placed), 'X', 'USD', 1, '2013-03-01')",
            "INSERT INTO clients (tenant_id, ref, name) VALUES (\(book.a.id), 'NEW', 'x')",
            "TRUNCATE contact_notes",
        ] {
            let error = try await Self.failure(tenant: book.a.id, agency: book.agency.id, statement)
            #expect(error?.kind == .insufficientPrivilege, "\(statement.text): \(String(describing: error))")
        }
    }

    @Test func anAgencyWritesNotesOnItsPlacedClientOnlyAndNeverAnothersOrAnotherTenants() async throws {
        let book = try await Self.book.value
        func note(_ tenant: UUID, _ client: UUID) -> SQL {
            "INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body) VALUES (\(tenant), \(client), now(), 'call', 'agency call')"
        }
        #expect(try await Self.failure(tenant: book.a.id, agency: book.agency.id, note(book.a.id, book.placed)) == nil)
        // Refused like a note on a client that does not exist (the notes' key on
        // the agency's mark), or by the policy for another tenant's row.
        for (tenant, client) in [(book.a.id, book.unplaced), (book.b.id, book.bPlaced), (book.a.id, book.bPlaced)] {
            let error = try await Self.failure(tenant: book.a.id, agency: book.agency.id, note(tenant, client))
            #expect([.insufficientPrivilege, .foreignKeyViolation].contains(error?.kind), "\(String(describing: error))")
        }
        let connection = try await book.fixture.database.connect()
        let written = try await connection.query("""
            SELECT count(*) FROM contact_notes WHERE body = 'agency call' AND client_id <> \(book.placed)
            """).scalar(Int.self)
        await connection.close()
        #expect(written == 0)
        // A forged mark on the row is no way round: the check is the agency set.
        let forged = try await Self.failure(tenant: book.a.id, agency: book.idle.id, """
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body, placed_agency_id)
            VALUES (\(book.a.id), \(book.placed), now(), 'call', 'x', \(book.agency.id))
            """)
        #expect(forged?.kind == .insufficientPrivilege)
    }

    @Test func forgedTenantsAndAgenciesSeeNothing() async throws {
        let book = try await Self.book.value
        for (tenant, agency) in [
            (book.b.id, book.agency.id),  // A's agency with B set
            (book.a.id, book.bAgency.id),  // B's agency with A set
            (book.a.id, book.idle.id),  // an agency with nothing placed
            (book.a.id, nil), (nil, book.agency.id), (nil, nil),
            (book.a.id, UUID()),
        ] as [(UUID?, UUID?)] {
            let seen = try await Self.visible(tenant: tenant, agency: agency)
            let rows = seen.values.compactMap { $0 }.reduce(0, +)
            #expect(rows == 0, "tenant \(String(describing: tenant)), agency \(String(describing: agency)): \(seen)")
        }
        // B's own agency sees B's placed client, which shows the forgeries above
        // were refused by the marks, not by an empty book.
        let bSeen = try await Self.visible(tenant: book.b.id, agency: book.bAgency.id)
        #expect(bSeen["clients"] == 1)
    }

    @Test func aSuspendedTenantsAgencyReadsAndWritesNothing() async throws {
        let book = try await Self.book.value
        let registry = TenantRegistry(database: book.fixture.service)
        _ = try await registry.suspend(book.b.slug, actor: "test")
        let seen = try await Self.visible(tenant: book.b.id, agency: book.bAgency.id)
        let error = try await Self.failure(tenant: book.b.id, agency: book.bAgency.id, """
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body) VALUES (\(book.b.id), \(book.bPlaced), now(), 'call', 'x')
            """)
        _ = try await registry.resume(book.b.slug, actor: "test")
        #expect(seen.values.compactMap { $0 }.reduce(0, +) == 0, "\(seen)")
        #expect(error?.kind == .insufficientPrivilege)
    }

    @Test func afterRecallTheAgencySeesNothingOfTheClient() async throws {
        let book = try await Self.book.value
        let agencies = Agencies(database: book.fixture.service, tenant: book.a.id)
        let agency = try await agencies.create(name: "Recalled Agency", commissionBP: 1000, actor: "test")
        let client = try await book.fixture.service.withTenant(book.a.id) { tx async throws in
            let client = try await tx.query("""
                INSERT INTO clients (tenant_id, ref, name) VALUES (\(book.a.id), 'R', 'Client') RETURNING id
                """).scalar(UUID.self)!
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                VALUES (\(book.a.id), \(client), 'R-1', 'USD', 10000, '2013-01-01', '2013-01-31')
                """)
            return client
        }
        let placement = try await agencies.place(clientRef: "R", agency: agency.name, on: CalendarDate("2013-03-01")!,
                                                 actor: "test")
        _ = try await agencies.remit(placement: placement.id, reference: "AG-R", amount: Money(amountMinor: 1000, currency: "USD"),
                                     receivedOn: CalendarDate("2013-03-02")!, actor: "test")
        #expect(try await Self.failure(tenant: book.a.id, agency: agency.id, """
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body) VALUES (\(book.a.id), \(client), now(), 'call', 'x')
            """) == nil)
        let before = try await Self.visible(tenant: book.a.id, agency: agency.id)
        #expect(before["clients"] == 1 && before["invoices"] == 1 && before["payments"] == 1 && before["contact_notes"] == 1,
                "\(before)")
        let recalled = try await agencies.recall(placement.id, on: CalendarDate("2013-04-01")!, actor: "test")
        #expect(recalled.recalledOn == CalendarDate("2013-04-01"))
        let seen = try await Self.visible(tenant: book.a.id, agency: agency.id)
        #expect(seen.values.compactMap { $0 }.reduce(0, +) == 0, "\(seen)")
        let error = try await Self.failure(tenant: book.a.id, agency: agency.id, """
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body) VALUES (\(book.a.id), \(client), now(), 'call', 'x')
            """)
        #expect([.insufficientPrivilege, .foreignKeyViolation].contains(error?.kind), "\(String(describing: error))")
    }
}
