import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// Adversarial checks that the database itself keeps tenants apart, run as
/// `collections_app` exactly as the service connects.
@Suite(.serialized) struct TenantIsolationTests {
    /// Every tenant table, each with a column that a harmless UPDATE can set to itself.
    static let tables: [(name: String, column: String)] = [
        ("api_keys", "label"), ("clients", "name"), ("invoices", "amount_minor"), ("invoice_charges", "amount_minor"),
        ("payments", "amount_minor"), ("payment_applications", "amount_minor"), ("write_offs", "reason"),
        ("disputes", "reason"), ("contact_notes", "body"), ("idempotency_keys", "response"), ("audit_log", "actor"),
        ("reminders", "channel"),
    ]

    struct Book {
        let fixture: ServiceFixture
        let a: Tenant
        let b: Tenant
        let bClient: UUID
    }

    static let book = Task<Book, any Error> {
        let fixture = try await ServiceFixture.make("isolation")
        let a = try await fixture.tenant("a")
        let b = try await fixture.tenant("b")
        _ = try await seed(fixture, a)
        let bClient = try await seed(fixture, b)
        return Book(fixture: fixture, a: a, b: b, bClient: bClient)
    }

    /// One row in every tenant table, written through the app role.
    static func seed(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> UUID {
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            let t = tenant.id
            let client = try await tx.query("""
                INSERT INTO clients (tenant_id, ref, name) VALUES (\(t), 'C-1', 'Client of \(unescaped: tenant.slug)') RETURNING id
                """).scalar(UUID.self)!
            let invoice = try await tx.query("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                VALUES (\(t), \(client), 'INV-1', 'USD', 10000, '2013-01-01', '2013-01-31') RETURNING id
                """).scalar(UUID.self)!
            let payment = try await tx.query("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                VALUES (\(t), \(client), 'PAY-1', 'USD', 5000, '2013-02-15') RETURNING id
                """).scalar(UUID.self)!
            _ = try await tx.pipeline([
                "INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on) VALUES (\(t), \(invoice), 'late_fee', 150, '2013-02-28')",
                "INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on) VALUES (\(t), \(payment), \(invoice), 5000, '2013-02-15')",
                "INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason) VALUES (\(t), \(invoice), 100, '2013-06-30', 'small balance')",
                "INSERT INTO disputes (tenant_id, invoice_id, opened_on, reason) VALUES (\(t), \(invoice), '2013-02-01', 'price')",
                "INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, body, satisfaction) VALUES (\(t), \(client), \(invoice), now(), 'call', 'spoke to AP', 4)",
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, response) VALUES (\(t), 'PAY-1', sha256('r'::bytea), '{}')",
                "INSERT INTO audit_log (tenant_id, actor, action, entity) VALUES (\(t), 'test', 'seed', 'client')",
                "INSERT INTO api_keys (tenant_id, prefix, secret_hash) VALUES (\(t), 'k1', sha256('s'::bytea))",
                """
                INSERT INTO reminders (tenant_id, invoice_id, offset_days, client_id, scheduled_on, channel, currency, balance_minor)
                VALUES (\(t), \(invoice), 1, \(client), '2013-02-01', 'email', 'USD', 100)
                """,
            ])
            return client
        }
    }

    /// A raw transaction as collections_app with `tenant` set (nil: none set).
    static func asApp<T>(_ fixture: ServiceFixture, tenant: UUID?, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await fixture.database.connect()
        defer { Task { await connection.close() } }
        return try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            if let tenant { try await tx.query("SELECT set_config('app.tenant_id', \(tenant.uuidString.lowercased()), true)") }
            return try await body(tx)
        }
    }

    @Test func anotherTenantsRowsCannotBeSeenUpdatedOrDeleted() async throws {
        let book = try await Self.book.value
        try await book.fixture.service.withTenant(book.a.id) { tx async throws in
            for table in Self.tables {
                let seen = try await tx.query("SELECT count(*) FROM \(identifier: table.name) WHERE tenant_id = \(book.b.id)").scalar(Int.self)
                #expect(seen == 0, "\(table.name): saw B's rows")
                let own = try await tx.query("SELECT count(*) FROM \(identifier: table.name)").scalar(Int.self) ?? 0
                #expect(own >= 1, "\(table.name): A's own row is missing, so the test proves nothing")
                guard table.name != "audit_log" else { continue }  // append-only: below
                let updated = try await tx.execute(
                    "UPDATE \(identifier: table.name) SET \(identifier: table.column) = \(identifier: table.column) WHERE tenant_id = \(book.b.id)")
                #expect(updated == 0, "\(table.name): updated B's rows")
            }
            // Deletes last, children first; B's rows must survive.
            for table in Self.tables.reversed() where table.name != "audit_log" {
                let deleted = try await tx.execute("DELETE FROM \(identifier: table.name) WHERE tenant_id = \(book.b.id)")
                #expect(deleted == 0, "\(table.name): deleted B's rows")
            }
        }
        // The audit log takes no UPDATE or DELETE from the app at all, own rows included.
        for statement: SQL in ["UPDATE audit_log SET actor = actor", "DELETE FROM audit_log"] {
            let denied = await #expect(throws: PostgresError.self) {
                try await book.fixture.service.withTenant(book.a.id, retry: .never) { tx in try await tx.execute(statement) }
            }
            #expect(denied?.kind == .insufficientPrivilege)
        }
        try await book.fixture.service.withTenant(book.b.id) { tx async throws in
            for table in Self.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table.name)").scalar(Int.self) ?? 0 >= 1, "\(table.name)")
            }
        }
    }

    @Test func writingAnotherTenantsIdOrMovingARowToItIsRefused() async throws {
        let book = try await Self.book.value
        for table in Self.tables {
            // Copy one of A's rows with B's tenant_id (and fresh keys), through the app role.
            let insert = await #expect(throws: PostgresError.self, "\(table.name): insert as B accepted") {
                try await book.fixture.service.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("""
                        INSERT INTO \(identifier: table.name)
                        SELECT (jsonb_populate_record(NULL::\(identifier: table.name), to_jsonb(x) || jsonb_build_object(
                            'tenant_id', \(book.b.id.uuidString.lowercased())::text, 'id', gen_random_uuid(), 'key', 'other',
                            'prefix', 'other', 'ref', 'other', 'number', 'other', 'reference', 'other'))).*
                        FROM \(identifier: table.name) x LIMIT 1
                        """)
                }
            }
            #expect(insert?.kind == .insufficientPrivilege, "\(table.name): \(String(describing: insert))")
            let move = await #expect(throws: PostgresError.self, "\(table.name): row moved to B") {
                try await book.fixture.service.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("UPDATE \(identifier: table.name) SET tenant_id = \(book.b.id)")
                }
            }
            #expect(move?.kind == .insufficientPrivilege, "\(table.name): \(String(describing: move))")
        }
    }

    @Test func referencingAnotherTenantsClientFailsExactlyLikeAMissingOne() async throws {
        let book = try await Self.book.value
        func attempt(_ client: UUID) async -> PostgresError? {
            await #expect(throws: PostgresError.self) {
                try await book.fixture.service.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("""
                        INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                        VALUES (\(book.a.id), \(client), 'X-1', 'USD', 1, '2013-01-01', '2013-01-01')
                        """)
                }
            }
        }
        let foreign = await attempt(book.bClient)
        let missing = await attempt(UUID())
        #expect(foreign?.kind == .foreignKeyViolation)
        #expect(foreign?.sqlState == missing?.sqlState)
        #expect(foreign?.message == missing?.message)
        #expect(foreign?.detail == missing?.detail)
        #expect(foreign?.constraint == missing?.constraint)
        #expect(foreign?.detail?.contains(book.bClient.uuidString.lowercased()) == false)
    }

    @Test func aTenantCanReuseAnotherTenantsNumbersAndRefs() async throws {
        let book = try await Self.book.value
        // Both seeded C-1, INV-1 and PAY-1; a third tenant can too.
        let c = try await book.fixture.tenant("c")
        _ = try await Self.seed(book.fixture, c)
        let refs = try await book.fixture.service.withTenant(c.id) { tx async throws in
            try await tx.query("SELECT ref FROM clients").map { try $0.decode(String.self, at: 0) }
        }
        #expect(refs == ["C-1"])
    }

    @Test func withNoTenantSetEveryTableIsEmptyAndEveryWriteFails() async throws {
        let book = try await Self.book.value
        try await Self.asApp(book.fixture, tenant: nil) { tx async throws in
            for table in Self.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table.name)").scalar(Int.self) == 0, "\(table.name)")
            }
        }
        let write = await #expect(throws: PostgresError.self) {
            try await Self.asApp(book.fixture, tenant: nil) { tx async throws in
                try await tx.execute("INSERT INTO clients (tenant_id, ref, name) VALUES (\(book.a.id), 'Z', 'z')")
            }
        }
        #expect(write?.kind == .insufficientPrivilege)
    }

    @Test func aConnectionReusedAfterACommittedTenantTransactionSeesNothing() async throws {
        let book = try await Self.book.value
        let connection = try await book.fixture.database.connect()
        try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            try await tx.query("SELECT set_config('app.tenant_id', \(book.a.id.uuidString.lowercased()), true)")
            #expect(try await tx.query("SELECT count(*) FROM clients").scalar(Int.self) == 1)
        }
        // After commit the setting reads '' (not NULL): the policy must still fail closed.
        try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            #expect(try await tx.query("SELECT current_setting('app.tenant_id', true)").scalar(String.self) == "")
            for table in Self.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table.name)").scalar(Int.self) == 0, "\(table.name)")
            }
        }
        await connection.close()
    }

    @Test func aThousandTransactionsAlternatingTenantsOnOnePooledConnectionNeverMix() async throws {
        let book = try await Self.book.value
        let single = CollectionsDatabase(configuration: book.fixture.database.configuration, maxConnections: 1)
        var backends = Set<Int32>()
        for round in 0..<1_000 {
            let tenant = round.isMultiple(of: 2) ? book.a : book.b
            let (pid, tenants, names) = try await single.withTenant(tenant.id) { tx async throws in
                let pid = try await tx.query("SELECT pg_backend_pid()").scalar(Int32.self) ?? 0
                let tenants = try await tx.query("SELECT DISTINCT tenant_id FROM clients").map { try $0.decode(UUID.self, at: 0) }
                let names = try await tx.query("SELECT name FROM clients").map { try $0.decode(String.self, at: 0) }
                return (pid, tenants, names)
            }
            backends.insert(pid)
            #expect(tenants == [tenant.id])
            #expect(names == ["Client of \(tenant.slug)"])
        }
        #expect(backends.count == 1, "the test must reuse one server connection")
        await single.close()
    }

    @Test func aSuspendedTenantReadsAndWritesNothingUntilResumed() async throws {
        let book = try await Self.book.value
        let registry = TenantRegistry(database: book.fixture.service)
        let d = try await book.fixture.tenant("d")
        _ = try await Self.seed(book.fixture, d)
        _ = try await registry.suspend(d.slug, actor: "test")
        let refused = await #expect(throws: ServiceError.self) {
            try await book.fixture.service.withTenant(d.id) { _ in }
        }
        #expect(refused?.kind == .suspended)
        // Underneath the service's check, the database refuses on its own.
        try await Self.asApp(book.fixture, tenant: d.id) { tx async throws in
            for table in Self.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table.name)").scalar(Int.self) == 0, "\(table.name)")
            }
        }
        let write = await #expect(throws: PostgresError.self) {
            try await Self.asApp(book.fixture, tenant: d.id) { tx async throws in
                try await tx.execute("INSERT INTO clients (tenant_id, ref, name) VALUES (\(d.id), 'Z', 'z')")
            }
        }
        #expect(write?.kind == .insufficientPrivilege)
        _ = try await registry.resume(d.slug, actor: "test")
        let count = try await book.fixture.service.withTenant(d.id) { tx async throws in
            try await tx.query("SELECT count(*) FROM clients").scalar(Int.self)
        }
        #expect(count == 1)
    }

    @Test func theCatalogFollowsTheTenancyRecipe() async throws {
        let book = try await Self.book.value
        let connection = try await book.fixture.database.connect()
        #expect(try await TenancyAudit.violations(connection) == [])
        // The tables checked include every table above: the audit is not vacuous.
        let audited = try await connection.query("""
            SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE a.attname = 'tenant_id' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
            """).scalar(Int.self) ?? 0
        #expect(audited >= Self.tables.count)
        await connection.close()
    }

    @Test func aMigrationThatForgetsRowLevelSecurityIsRolledBack() async throws {
        let database = try await TestDatabase.migrated("forgetful")
        let careless = Migration.all + [
            Migration(name: "9100_careless.sql", sql: """
                CREATE TABLE callbacks (tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
                GRANT TRUNCATE ON callbacks TO collections_app;
                CREATE VIEW callback_view AS SELECT * FROM callbacks;
                """)
        ]
        let error = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration, migrations: careless).migrate()
        }
        let message = error?.description ?? ""
        #expect(message.contains("table callbacks: row-level security not enabled"))
        #expect(message.contains("table callbacks: row-level security not forced"))
        #expect(message.contains("collections_app may truncate"))
        #expect(message.contains("view callback_view is not security_invoker"))
        let connection = try await database.connect()
        #expect(try await connection.query("SELECT to_regclass('callbacks') IS NULL").scalar(Bool.self) == true)
        await connection.close()
    }

    @Test func aMigrationThatWeakensTheTenantPolicyIsRolledBack() async throws {
        let database = try await TestDatabase.migrated("weakened")
        let weakening = Migration.all + [
            Migration(name: "9101_weakened.sql", sql: """
                ALTER POLICY tenant_isolation ON clients
                    USING (tenant_id = current_tenant_id() OR true) WITH CHECK (tenant_id = current_tenant_id());
                """)
        ]
        let error = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration, migrations: weakening).migrate()
        }
        #expect(error?.description.contains("table clients: no tenant_isolation policy on tenant_id = current_tenant_id()") == true,
                "\(error?.description ?? "")")
        let connection = try await database.connect()
        let policy = try await connection.query("""
            SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
            WHERE polname = 'tenant_isolation' AND polrelid = 'clients'::regclass
            """).scalar(String.self)
        #expect(policy == "(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))")
        await connection.close()
    }
}
