import CollectionsSchema
import CollectionsService
import Foundation
import Postgres
import TestSupport
import Testing

/// Adversarial checks that the database itself keeps tenants apart, run as the
/// HTTP server's login (a NOINHERIT member of `collections_app` only), exactly as
/// the service connects.
@Suite(.serialized) struct TenantIsolationTests {
    struct Book {
        let fixture: ServiceFixture
        /// As the HTTP server connects: collections_app and nothing else.
        let server: CollectionsDatabase
        let a: Tenant
        let b: Tenant
        let bClient: UUID
        /// Every table with a tenant_id column, from the catalog: a table added
        /// later is attacked without anyone remembering to list it.
        let tables: [String]
        /// A column of each that the app role may update (set to itself), if any.
        let updatable: [String: String]
        /// The tables the app role may delete from.
        let deletable: Set<String>
    }

    static let book = Task<Book, any Error> {
        let fixture = try await ServiceFixture.make("isolation")
        let a = try await fixture.tenant("a")
        let b = try await fixture.tenant("b")
        _ = try await seed(fixture, a)
        let bClient = try await seed(fixture, b)
        let connection = try await fixture.database.connect()
        let tables = try await connection.query("""
            SELECT c.relname FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname
            """).map { try $0.decode(String.self, at: 0) }
        let updatable = try await connection.query("""
            SELECT DISTINCT ON (c.relname) c.relname, a.attname FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY (\(tables))
              AND has_column_privilege('collections_app', c.oid, a.attname, 'UPDATE')
            ORDER BY c.relname, a.attname <> 'tenant_id', a.attnum
            """).decode((String, String).self)
        let deletable = try await connection.query("""
            SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY (\(tables))
              AND has_table_privilege('collections_app', oid, 'DELETE')
            """).map { try $0.decode(String.self, at: 0) }
        await connection.close()
        return Book(
            fixture: fixture, server: CollectionsDatabase(configuration: fixture.database.configuration(as: .server)),
            a: a, b: b, bClient: bClient, tables: tables,
            updatable: Dictionary(updatable, uniquingKeysWith: { first, _ in first }), deletable: Set(deletable))
    }

    /// One row in every tenant table, written through the app role.
    static func seed(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> UUID {
        let client = try await fixture.service.withTenant(tenant.id) { tx async throws in
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
            let note = try await tx.query("""
                INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, body, satisfaction)
                VALUES (\(t), \(client), \(invoice), now(), 'call', 'spoke to AP', 4) RETURNING id
                """).scalar(UUID.self)!
            _ = try await tx.pipeline([
                "INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on) VALUES (\(t), \(invoice), 'late_fee', 150, '2013-02-28')",
                "INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on) VALUES (\(t), \(payment), \(invoice), 5000, '2013-02-15')",
                "INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason) VALUES (\(t), \(invoice), 100, '2013-06-30', 'small balance')",
                "INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason) VALUES (\(t), \(invoice), 100, '2013-02-01', 'price')",
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, response) VALUES (\(t), 'PAY-1', sha256('r'::bytea), '{}')",
                "INSERT INTO audit_log (tenant_id, actor, action, entity) VALUES (\(t), 'test', 'seed', 'client')",
                // dunning_policies and dunning_steps: version 1, made with the tenant.
                "INSERT INTO dunning_step_minimums (tenant_id, version, position, currency, minimum_minor) VALUES (\(t), 1, 1, 'USD', 500)",
                """
                INSERT INTO dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step, template, address,
                                              time_zone, send_from, send_until)
                VALUES (\(t), \(client), 'email', '2013-02-01', 1, '1 day past due', 'reminder_overdue', 'ap@example.com', 'UTC',
                        '2013-02-01 08:00+00', '2013-02-01 21:00+00')
                """,
                """
                INSERT INTO dunning_message_invoices (tenant_id, client_id, channel, scheduled_on, invoice_id, step, offset_days,
                                                      currency, balance_minor)
                VALUES (\(t), \(client), 'email', '2013-02-01', \(invoice), '1 day past due', 1, 'USD', 100)
                """,
                """
                INSERT INTO dunning_suppressions (tenant_id, client_id, channel, scheduled_on, invoice_id, policy_version, step,
                                                  offset_days, rule, reason, currency, balance_minor)
                VALUES (\(t), \(client), 'sms', '2013-02-01', \(invoice), 1, '1 day past due', 1, 'no_sms_consent', 'no consent',
                        'USD', 100)
                """,
                "INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, recorded_by) VALUES (\(t), \(client), 'attorney', '2013-03-01', 'test')",
                """
                INSERT INTO contact_permissions (tenant_id, client_id, channel, granted, source, recorded_at)
                VALUES (\(t), \(client), 'sms', true, 'test', now())
                """,
                "INSERT INTO tenant_days (tenant_id, job, as_of, duration_ms, rows_written) VALUES (\(t), 'daily', '2013-06-30', 1, 1)",
                "INSERT INTO tenant_day_failures (tenant_id, job, as_of, error) VALUES (\(t), 'daily', '2013-07-01', 'simulated')",
                """
                INSERT INTO ageing_snapshots (tenant_id, as_of, currency, bucket_limits, total_minor, current_minor, bucket_minor,
                                              disputed_minor, unapplied_credit_minor)
                VALUES (\(t), '2013-06-30', 'USD', '{30,60,90}', 1, 0, '{0,0,0,1}', 0, 0)
                """,
                """
                INSERT INTO client_ageing_snapshots (tenant_id, as_of, client_id, currency, bucket_limits, total_minor, current_minor,
                                                     bucket_minor, disputed_minor, unapplied_credit_minor)
                VALUES (\(t), '2013-06-30', \(client), 'USD', '{30,60,90}', 1, 0, '{0,0,0,1}', 0, 0)
                """,
                """
                INSERT INTO kpi_snapshots (tenant_id, as_of, currency, dso_period_days, cei_period_days, ar_minor, current_minor,
                                           credit_sales_minor, csat_count, promise_grace_days, cei_opening_ar_minor,
                                           cei_credit_sales_minor, write_offs_minor, promises_due, promises_kept)
                VALUES (\(t), '2013-06-30', 'USD', 90, 30, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                """,
                "INSERT INTO csat_snapshots (tenant_id, as_of, csat_count) VALUES (\(t), '2013-06-30', 0)",
                """
                INSERT INTO promise_outcomes (tenant_id, note_id, client_id, state, decided_on, paid_minor)
                VALUES (\(t), \(note), \(client), 'kept', '2013-06-30', 0)
                """,
                // webhook_events and webhook_deliveries: written by webhook_emit, as by the fact triggers.
                "INSERT INTO webhook_endpoints (tenant_id, url, secret) VALUES (\(t), 'https://hooks.example/in', 'whsec_c2VlZA==')",
                "SELECT webhook_emit(\(t), 'payment.posted', '{\"{}\"}', '{seed}')",
                """
                INSERT INTO message_templates (tenant_id, name, subject, text_body, sms_body, updated_by)
                VALUES (\(t), 'reminder_due', 'Due', 'Due today', 'Due today', 'seed')
                """,
                "INSERT INTO sms_callbacks (tenant_id, kind, provider_id) VALUES (\(t), 'inbound', 'SMseed')",
                """
                INSERT INTO payment_plans (tenant_id, client_id, currency, total_minor, instalment_count, frequency, start_on,
                                           made_on, created_by)
                VALUES (\(t), \(client), 'USD', 5000, 2, 'month', '2013-03-15', '2013-03-01', 'seed')
                """,
                "INSERT INTO plan_invoices (tenant_id, plan_id, invoice_id, covered_minor) SELECT \(t), p.id, \(invoice), 5000 FROM payment_plans p",
                """
                INSERT INTO plan_instalments (tenant_id, plan_id, seq, due_on, amount_minor)
                SELECT \(t), p.id, s.seq, s.due_on, s.amount_minor FROM payment_plans p, plan_schedule(5000, 2, 'month', '2013-03-15') s
                """,
                // A plan's reminder and a refused one (sql/0023).
                """
                INSERT INTO dunning_message_instalments (tenant_id, client_id, channel, scheduled_on, plan_id, seq, step,
                                                         offset_days, currency, balance_minor)
                SELECT \(t), \(client), 'email', '2013-02-01', p.id, 1, 'instalment soon', -3, 'USD', 2500 FROM payment_plans p
                """,
                """
                INSERT INTO dunning_instalment_suppressions (tenant_id, client_id, channel, scheduled_on, plan_id, seq,
                                                             policy_version, step, offset_days, rule, reason, currency,
                                                             balance_minor)
                SELECT \(t), \(client), 'sms', '2013-02-01', p.id, 1, 1, 'instalment today', 0, 'no_sms_consent',
                       'no consent', 'USD', 2500 FROM payment_plans p
                """,
                "INSERT INTO agencies (tenant_id, name, commission_bp) VALUES (\(t), 'Agency One', 1500)",
                // collector_teams and collectors (sql/0022), and the client assigned to its collector.
                "INSERT INTO collector_teams (tenant_id, name) VALUES (\(t), 'North')",
                """
                INSERT INTO collectors (tenant_id, handle, display_name, team_id)
                SELECT \(t), 'ann', 'Ann', tm.id FROM collector_teams tm WHERE tm.tenant_id = \(t)
                """,
                "UPDATE clients SET assigned_collector = 'ann' WHERE tenant_id = \(t) AND id = \(client)",
                """
                INSERT INTO placements (tenant_id, client_id, agency_id, whole_client, status_before, placed_on)
                SELECT \(t), \(client), a.id, true, 'active', '2013-03-01' FROM agencies a WHERE a.tenant_id = \(t)
                """,
                """
                INSERT INTO placement_invoices (tenant_id, placement_id, invoice_id, currency, placed_minor)
                SELECT \(t), p.id, \(invoice), 'USD', 5000 FROM placements p WHERE p.tenant_id = \(t)
                """,
                """
                INSERT INTO agency_remittances (tenant_id, placement_id, agency_id, payment_id, currency, amount_minor,
                                                commission_bp, commission_minor, received_on)
                SELECT \(t), p.id, p.agency_id, \(payment), 'USD', 5000, 1500, 750, '2013-03-02' FROM placements p
                WHERE p.tenant_id = \(t)
                """,
            ])
            return client
        }
        // Keys are the registry's to issue (sql/0011).
        try await fixture.service.asRegistry { tx in
            try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: tenant.id))
            try await tx.execute("INSERT INTO api_keys (tenant_id, prefix, secret_hash) VALUES (\(tenant.id), 'k1', sha256('s'::bytea))")
        }
        // A dashboard session of that key (sql/0024), as the server starts one.
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO dashboard_sessions (tenant_id, token_hash, api_key_id, csrf_secret, created_at, expires_at)
                SELECT \(tenant.id), sha256('t'::bytea), k.id, sha256('c'::bytea), now(), now() + interval '1 hour'
                FROM api_keys k WHERE k.tenant_id = \(tenant.id)
                """)
        }
        return client
    }

    /// A raw transaction as the server's login, as collections_app, with `tenant`
    /// set (nil: none set).
    static func asApp<T>(_ fixture: ServiceFixture, tenant: UUID?, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(fixture.database.configuration(as: .server))
        defer { Task { await connection.close() } }
        return try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            if let tenant { try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: tenant)) }
            return try await body(tx)
        }
    }

    @Test func everyTenantTableHoldsRowsOfBothTenantsSoTheAttacksBelowMeanSomething() async throws {
        let book = try await Self.book.value
        #expect(book.tables.count >= 26, "\(book.tables)")
        let connection = try await book.fixture.database.connect()  // the superuser: row-level security does not filter it
        for table in book.tables {
            let tenants = try await connection.query("""
                SELECT count(DISTINCT tenant_id) FROM \(identifier: table) WHERE tenant_id IN (\(book.a.id), \(book.b.id))
                """).scalar(Int.self)
            #expect(tenants == 2, "\(table): seed a row of each tenant in TenantIsolationTests.seed")
        }
        await connection.close()
    }

    @Test func anotherTenantsRowsCannotBeSeenUpdatedOrDeleted() async throws {
        let book = try await Self.book.value
        try await book.server.withTenant(book.a.id) { tx async throws in
            for table in book.tables {
                let seen = try await tx.query("SELECT count(*) FROM \(identifier: table) WHERE tenant_id = \(book.b.id)").scalar(Int.self)
                #expect(seen == 0, "\(table): saw B's rows")
                let own = try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) ?? 0
                #expect(own >= 1, "\(table): A's own row is missing, so the test proves nothing")
                guard let column = book.updatable[table] else { continue }  // e.g. the append-only audit log: below
                let updated = try await tx.execute(
                    "UPDATE \(identifier: table) SET \(identifier: column) = \(identifier: column) WHERE tenant_id = \(book.b.id)")
                #expect(updated == 0, "\(table): updated B's rows")
            }
            // Deletes last; B's rows must survive.
            for table in book.tables where book.deletable.contains(table) {
                let deleted = try await tx.execute("DELETE FROM \(identifier: table) WHERE tenant_id = \(book.b.id)")
                #expect(deleted == 0, "\(table): deleted B's rows")
            }
        }
        // The audit log takes no UPDATE or DELETE from the app at all, own rows included.
        for statement: SQL in ["UPDATE audit_log SET actor = actor", "DELETE FROM audit_log"] {
            let denied = await #expect(throws: PostgresError.self) {
                try await book.server.withTenant(book.a.id, retry: .never) { tx in try await tx.execute(statement) }
            }
            #expect(denied?.kind == .insufficientPrivilege)
        }
        try await book.server.withTenant(book.b.id) { tx async throws in
            for table in book.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) ?? 0 >= 1, "\(table)")
            }
        }
    }

    @Test func writingAnotherTenantsIdOrMovingARowToItIsRefused() async throws {
        let book = try await Self.book.value
        for table in book.tables {
            // Copy one of A's rows with B's tenant_id (and fresh keys), through the app role.
            let insert = await #expect(throws: PostgresError.self, "\(table): insert as B accepted") {
                try await book.server.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("""
                        INSERT INTO \(identifier: table)
                        SELECT (jsonb_populate_record(NULL::\(identifier: table), to_jsonb(x) || jsonb_build_object(
                            'tenant_id', \(book.b.id.uuidString.lowercased())::text, 'id', gen_random_uuid(), 'key', 'other',
                            'prefix', 'other', 'ref', 'other', 'number', 'other', 'reference', 'other'))).*
                        FROM \(identifier: table) x LIMIT 1
                        """)
                }
            }
            #expect(insert?.kind == .insufficientPrivilege, "\(table): \(String(describing: insert))")
            let move = await #expect(throws: PostgresError.self, "\(table): row moved to B") {
                try await book.server.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("UPDATE \(identifier: table) SET tenant_id = \(book.b.id)")
                }
            }
            #expect(move?.kind == .insufficientPrivilege, "\(table): \(String(describing: move))")
        }
    }

    @Test func referencingAnotherTenantsClientFailsExactlyLikeAMissingOne() async throws {
        let book = try await Self.book.value
        func attempt(_ client: UUID) async -> PostgresError? {
            await #expect(throws: PostgresError.self) {
                try await book.server.withTenant(book.a.id, retry: .never) { tx async throws in
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

    @Test func puttingACollectorInAnotherTenantsTeamFailsExactlyLikeAMissingOne() async throws {
        let book = try await Self.book.value
        /// The error of adding A's collector in `team`, nil if it was added.
        func attempt(_ team: UUID) async -> PostgresError? {
            do {
                try await book.server.withTenant(book.a.id, retry: .never) { tx async throws in
                    try await tx.execute("""
                        INSERT INTO collectors (tenant_id, handle, display_name, team_id)
                        VALUES (\(book.a.id), 'intruder', 'Intruder', \(team))
                        """)
                }
                return nil
            } catch {
                return error as? PostgresError
            }
        }
        let connection = try await book.fixture.database.connect()  // the superuser, to learn B's team id
        let bTeam = try await connection.query(
            "SELECT id FROM collector_teams WHERE tenant_id = \(book.b.id)").scalar(UUID.self)!
        await connection.close()
        let foreign = await attempt(bTeam)
        let missing = await attempt(UUID())
        #expect(foreign?.kind == .foreignKeyViolation)
        #expect(foreign?.constraint == "collectors_team_fkey")
        #expect(foreign?.message == missing?.message)
        #expect(foreign?.detail?.contains(bTeam.uuidString.lowercased()) == false)
        // B's collector is no collector of A's either: an assignment to a handle only B has is refused.
        try await book.server.withTenant(book.b.id) { tx async throws in
            try await tx.execute("""
                INSERT INTO collectors (tenant_id, handle, display_name) VALUES (\(book.b.id), 'bee', 'Bee')
                ON CONFLICT (tenant_id, handle) DO NOTHING
                """)
        }
        let only = await #expect(throws: ServiceError.self) {
            try await Collectors(database: book.server, tenant: book.a.id).assign(clientRefs: ["C-1"], to: "bee", actor: "test")
        }
        #expect(only?.message.hasPrefix("no collector bee") == true)
    }

    @Test func aTenantCanReuseAnotherTenantsNumbersAndRefs() async throws {
        let book = try await Self.book.value
        // Both seeded C-1, INV-1 and PAY-1; a third tenant can too.
        let c = try await book.fixture.tenant("c")
        _ = try await Self.seed(book.fixture, c)
        let refs = try await book.server.withTenant(c.id) { tx async throws in
            try await tx.query("SELECT ref FROM clients").map { try $0.decode(String.self, at: 0) }
        }
        #expect(refs == ["C-1"])
    }

    @Test func withNoTenantSetEveryTableIsEmptyAndEveryWriteFails() async throws {
        let book = try await Self.book.value
        try await Self.asApp(book.fixture, tenant: nil) { tx async throws in
            for table in book.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0, "\(table)")
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
        let connection = try await PostgresConnection.connect(book.fixture.database.configuration(as: .server))
        try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: book.a.id))
            #expect(try await tx.query("SELECT count(*) FROM clients").scalar(Int.self) == 1)
        }
        // After commit the setting reads '' (not NULL): the policy must still fail closed.
        try await connection.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app")
            #expect(try await tx.query("SELECT current_setting('app.tenant_id', true)").scalar(String.self) == "")
            for table in book.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0, "\(table)")
            }
        }
        await connection.close()
    }

    @Test func aThousandTransactionsAlternatingTenantsOnOnePooledConnectionNeverMix() async throws {
        let book = try await Self.book.value
        let single = CollectionsDatabase(configuration: book.fixture.database.configuration(as: .server), maxConnections: 1)
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
            try await book.server.withTenant(d.id) { _ in }
        }
        #expect(refused?.kind == .suspended)
        // Underneath the service's check, the database refuses on its own.
        try await Self.asApp(book.fixture, tenant: d.id) { tx async throws in
            for table in book.tables {
                #expect(try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0, "\(table)")
            }
        }
        let write = await #expect(throws: PostgresError.self) {
            try await Self.asApp(book.fixture, tenant: d.id) { tx async throws in
                try await tx.execute("INSERT INTO clients (tenant_id, ref, name) VALUES (\(d.id), 'Z', 'z')")
            }
        }
        #expect(write?.kind == .insufficientPrivilege)
        _ = try await registry.resume(d.slug, actor: "test")
        let count = try await book.server.withTenant(d.id) { tx async throws in
            try await tx.query("SELECT count(*) FROM clients").scalar(Int.self)
        }
        #expect(count == 1)
    }

    @Test func theCatalogFollowsTheTenancyRecipe() async throws {
        let book = try await Self.book.value
        let connection = try await book.fixture.database.connect()
        #expect(try await TenancyAudit.violations(connection) == [])
        await connection.close()
    }

    /// Applies `sql` as a migration after the real ones, as the migrate login, and
    /// returns why it was refused; checks that `survivor` reads as before.
    static func refusedMigration(_ suite: String, _ sql: String, survivor: SQL, _ expected: String) async throws -> String {
        let database = try await TestDatabase.migrated(suite)
        let connection = try await database.connect()
        let before = try await connection.query(survivor).map { try $0.decode(String.self, at: 0) }
        let migrations = Migration.all + [Migration(name: "9100_\(suite).sql", sql: sql)]
        let error = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration(as: .migrate), migrations: migrations).migrate()
        }
        let message = error?.description ?? ""
        #expect(message.contains(expected), "\(message)")
        #expect(message.contains("nothing of it was applied"))
        #expect(try await connection.query(survivor).map { try $0.decode(String.self, at: 0) } == before, "rolled back")
        #expect(try await connection.query("SELECT count(*) FROM schema_migrations WHERE version = 9100").scalar(Int.self) == 0)
        await connection.close()
        try await database.drop()
        return message
    }

    @Test func aMigrationThatForgetsRowLevelSecurityIsRolledBack() async throws {
        let message = try await Self.refusedMigration("forgetful", """
            CREATE TABLE callbacks (tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
            GRANT TRUNCATE ON callbacks TO collections_app;
            CREATE VIEW callback_view AS SELECT * FROM callbacks;
            """, survivor: "SELECT coalesce(to_regclass('callbacks')::text, 'none')", "table callbacks: row-level security not enabled")
        #expect(message.contains("table callbacks: row-level security not forced"))
        #expect(message.contains("collections_app may truncate"))
        #expect(message.contains("view callback_view is not security_invoker"))
    }

    @Test func aMigrationThatWidensAnAgencysScopeIsRolledBack() async throws {
        let message = try await Self.refusedMigration("agency_wide", """
            CREATE POLICY agency_everything ON write_offs TO collections_agency
                USING (tenant_id = current_active_tenant_id()) WITH CHECK (tenant_id = current_active_tenant_id());
            ALTER POLICY agency_placed ON invoices
                USING ((tenant_id = current_active_tenant_id()) OR (placed_agency_id = current_agency_id()));
            GRANT UPDATE ON clients TO collections_agency;
            GRANT SELECT ON worker_runs TO collections_agency;
            CREATE OR REPLACE FUNCTION current_agency_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
                AS $$ select nullif(current_setting('app.agency', true), '')::uuid $$;
            """, survivor: "SELECT polname::text FROM pg_policy WHERE polrelid = 'write_offs'::regclass ORDER BY polname",
            "table write_offs: policy agency_everything binds collections_agency to more than its placed rows")
        #expect(message.contains("table invoices: policy agency_placed binds collections_agency to more than its placed rows"))
        #expect(message.contains("table clients: collections_agency may update it"))
        #expect(message.contains("table worker_runs: collections_agency may select it"))
        #expect(message.contains("function current_agency_id() is not as the migrations define it"))
    }

    @Test func aMigrationThatWeakensTheTenantPolicyIsRolledBack() async throws {
        _ = try await Self.refusedMigration("weakened", """
            ALTER POLICY tenant_isolation ON clients
                USING (tenant_id = current_tenant_id() OR true) WITH CHECK (tenant_id = current_tenant_id());
            """, survivor: "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'clients'::regclass ORDER BY polname",
            "table clients: no tenant_isolation policy on tenant_id = current_tenant_id()")
    }

    @Test func aMigrationThatAddsAPermissiveTruePolicyIsRolledBack() async throws {
        _ = try await Self.refusedMigration("permissive", """
            CREATE POLICY support_desk ON invoices FOR SELECT TO collections_app USING (true);
            """, survivor: "SELECT polname::text FROM pg_policy WHERE polrelid = 'invoices'::regclass ORDER BY polname",
            "table invoices: policy support_desk is permissive and not exactly tenant_id = current_tenant_id()")
    }

    @Test func aMigrationThatRedefinesTheCurrentTenantIsRolledBack() async throws {
        // Same name, same signature: every policy that calls it now trusts a
        // setting anyone can choose.
        _ = try await Self.refusedMigration("redefined", """
            CREATE OR REPLACE FUNCTION current_tenant_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
            AS $$ select coalesce(nullif(current_setting('app.tenant_id', true), ''), current_setting('app.other', true))::uuid $$;
            """, survivor: "SELECT prosrc FROM pg_proc WHERE proname = 'current_tenant_id'",
            "function current_tenant_id() is not as the migrations define it")
        _ = try await Self.refusedMigration("shadowed", """
            CREATE FUNCTION current_tenant_is_active(extra int DEFAULT 0) RETURNS boolean LANGUAGE sql AS $$ select true $$;
            """, survivor: "SELECT count(*)::text FROM pg_proc WHERE proname = 'current_tenant_is_active'",
            "function current_tenant_is_active() is not as the migrations define it")
    }

    @Test func aMigrationThatAddsARestrictivePolicyOrASubqueryInAPolicyIsRolledBack() async throws {
        // What Citus refuses (a subquery) or silently makes permissive on its
        // shards (a restrictive policy): DESIGN.md "Scale-out".
        let message = try await Self.refusedMigration("restrictive", """
            CREATE POLICY open_hours ON invoices AS RESTRICTIVE TO collections_app
                USING ((SELECT current_tenant_is_active())) WITH CHECK (true);
            """, survivor: "SELECT polname::text FROM pg_policy WHERE polrelid = 'invoices'::regclass ORDER BY polname",
            "table invoices: policy open_hours is restrictive")
        #expect(message.contains("table invoices: policy open_hours has a subquery"))
    }

    @Test func aMigrationThatAddsAKeyNotLeadingWithTheTenantIsRolledBack() async throws {
        // What Citus cannot enforce on a table distributed by tenant_id: DESIGN.md
        // "Scale-out". A foreign key that only includes tenant_id passed before 0023.
        let message = try await Self.refusedMigration("keys", """
            ALTER TABLE invoices ADD CONSTRAINT invoices_number_everywhere_key UNIQUE (number, tenant_id);
            ALTER TABLE contact_notes ADD CONSTRAINT contact_notes_any_client_fkey FOREIGN KEY (client_id, tenant_id)
                REFERENCES clients (id, tenant_id);
            """, survivor: "SELECT conname::text FROM pg_constraint WHERE conrelid = 'invoices'::regclass ORDER BY 1",
            "table invoices: unique key invoices_number_everywhere_key does not lead with tenant_id")
        #expect(message.contains("table contact_notes: foreign key contact_notes_any_client_fkey does not lead with tenant_id"))
        #expect(!message.contains("currency"), "a key to a reference table is allowed: \(message)")
    }

    @Test func aMigrationThatAddsAKeyThatSetsNullOnDeleteIsRolledBack() async throws {
        // Citus refuses SET NULL and SET DEFAULT on a key that includes tenant_id
        // (deploy/citus/README.md); the key 0025 replaced was the last one.
        _ = try await Self.refusedMigration("setnull", """
            ALTER TABLE dunning_messages DROP CONSTRAINT dunning_messages_note_fkey,
                ADD CONSTRAINT dunning_messages_note_fkey FOREIGN KEY (tenant_id, note_id)
                    REFERENCES contact_notes (tenant_id, id) ON DELETE SET NULL (note_id);
            """, survivor: "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'dunning_messages_note_fkey'",
            "table dunning_messages: foreign key dunning_messages_note_fkey sets null or a default on delete or update")
    }

    @Test func aMigrationThatLetsTheAppReadASuspendedTenantIsRolledBack() async throws {
        // tenant_isolation for every role, OR-ed with tenant_active: the app
        // would read a suspended tenant's rows again.
        _ = try await Self.refusedMigration("suspendedreads", """
            ALTER POLICY tenant_isolation ON clients TO public;
            """, survivor: "SELECT polroles::text FROM pg_policy WHERE polrelid = 'clients'::regclass ORDER BY polname",
            "table clients: policy tenant_isolation lets collections_app read a suspended tenant")
        _ = try await Self.refusedMigration("noactive", """
            DROP POLICY tenant_active ON contact_notes;
            """, survivor: "SELECT polname::text FROM pg_policy WHERE polrelid = 'contact_notes'::regclass ORDER BY polname",
            "table contact_notes: no policy for collections_app on the active tenant")
    }

    @Test func aMigrationThatLetsASuspendedTenantInsertIsRolledBack() async throws {
        let message = try await Self.refusedMigration("suspendedwrites", """
            ALTER TABLE payments DISABLE TRIGGER tenant_active;
            CREATE TABLE callbacks (tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
            ALTER TABLE callbacks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON callbacks TO collections_owner, collections_registry
                USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
            CREATE POLICY tenant_active ON callbacks TO collections_app
                USING (tenant_id = current_active_tenant_id()) WITH CHECK (tenant_id = current_tenant_id());
            """, survivor: "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'payments'::regclass AND tgname = 'tenant_active'",
            "table payments: no enabled statement trigger refuse_suspended_tenant() before insert")
        #expect(message.contains("table callbacks: no enabled statement trigger refuse_suspended_tenant() before insert"))
        #expect(!message.contains("table callbacks: policy"), "\(message)")
        _ = try await Self.refusedMigration("lenienttrigger", """
            CREATE OR REPLACE FUNCTION refuse_suspended_tenant() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            """, survivor: "SELECT prosrc FROM pg_proc WHERE proname = 'refuse_suspended_tenant'",
            "function refuse_suspended_tenant() is not as the migrations define it")
    }

    @Test func aMigrationThatAddsAUniqueKeyOnAnExpressionWithoutTheTenantIsRolledBack() async throws {
        // Unique across tenants: one tenant's insert would fail on another's value.
        _ = try await Self.refusedMigration("uniqueexpr", """
            CREATE UNIQUE INDEX clients_email_lower_key ON clients (lower(email));
            """, survivor: "SELECT coalesce(to_regclass('clients_email_lower_key')::text, 'none')",
            "table clients: unique key clients_email_lower_key does not lead with tenant_id")
    }

    @Test func aMigrationThatGivesTheAppATableOrSequenceWithoutRowLevelSecurityIsRolledBack() async throws {
        let message = try await Self.refusedMigration("unguarded", """
            CREATE TABLE collector_scratch (client_ref text, note text);
            CREATE SEQUENCE letter_numbers;
            GRANT USAGE ON SEQUENCE letter_numbers TO collections_app;
            """, survivor: "SELECT coalesce(to_regclass('collector_scratch')::text, 'none')",
            "table collector_scratch: collections_app has INSERT on it without row-level security")
        #expect(message.contains("table collector_scratch: collections_app has SELECT on it without row-level security"))
        #expect(message.contains("sequence letter_numbers: collections_app has USAGE on it without row-level security"))
        // The worker's run log names every tenant: 0011 took it from the app role.
        _ = try await Self.refusedMigration("runlog", """
            GRANT SELECT ON worker_runs TO collections_app;
            """, survivor: "SELECT has_table_privilege('collections_app', 'worker_runs', 'SELECT')::text",
            "table worker_runs: collections_app has SELECT on it without row-level security")
    }
}
