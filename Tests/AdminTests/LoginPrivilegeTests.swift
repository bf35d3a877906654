import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// What each program's login (deploy/sql/logins.sql) can and cannot do, tried as
/// that login: a bad statement or an injection in any program reaches no further
/// than its own roles, and never another tenant's rows.
@Suite(.serialized) struct LoginPrivilegeTests {
    struct Book {
        let database: TestDatabase
        let a: Tenant
        let b: Tenant
    }

    /// Two tenants with a client and a key each, and a worker run logged.
    static let book = Task<Book, any Error> {
        let fixture = try await ServiceFixture.make("logins")
        let a = try await fixture.tenant("a")
        let b = try await fixture.tenant("b")
        for tenant in [a, b] {
            _ = try await Clients(database: fixture.service, tenant: tenant.id).create(
                NewClient(ref: "C-1", name: "Client of \(tenant.slug)"), actor: "test")
            _ = try await ApiKeys(database: fixture.service).create(tenantSlug: tenant.slug, label: nil, actor: "test")
        }
        _ = try await DailyWorker(database: fixture.worker).run(dates: .range(CalendarDate("2013-06-30")!, CalendarDate("2013-06-30")!))
        await fixture.service.close()
        await fixture.worker.close()
        return Book(database: fixture.database, a: a, b: b)
    }

    /// The error `statement` raises in a transaction of `login` (after `setup`), or nil.
    static func failure(_ login: Login, setup: [SQL] = [], _ statement: SQL) async throws -> PostgresError? {
        let book = try await book.value
        let connection = try await PostgresConnection.connect(book.database.configuration(as: login))
        defer { Task { await connection.close() } }
        do {
            try await connection.transaction { tx in
                for step in setup { try await tx.query(step) }
                try await tx.query(statement)
            }
            return nil
        } catch let error as PostgresError {
            return error
        }
    }

    /// Inside a tenant's transaction, exactly as `withTenant` opens it.
    static func asTenantA() async throws -> [SQL] {
        let a = try await book.value.a.id
        return ["SET LOCAL ROLE collections_app", SQL(unescaped: SQL.setLocal("app.tenant_id", to: a))]
    }

    @Test(arguments: Login.allCases)
    func eachLoginIsANoInheritMemberOfJustItsRolesWithTimeouts(_ login: Login) async throws {
        let book = try await Self.book.value
        let connection = try await book.database.connect()
        let row = try await connection.query("""
            SELECT r.rolcanlogin, r.rolinherit, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                   coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m
                             JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '{}')
            FROM pg_roles r WHERE r.rolname = \(login.name)
            """).decode((Bool, Bool, Bool, Bool, Bool, Bool, [String]).self)
        await connection.close()
        let (canLogin, inherits, superuser, bypassRLS, createRole, createDB, roles) = try #require(row.first)
        #expect(canLogin && !inherits && !superuser && !bypassRLS && !createRole && !createDB)
        #expect(roles == login.roles.sorted())

        let session = try await PostgresConnection.connect(book.database.configuration(as: login))
        for setting in ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"] {
            let value = try await session.query("SELECT current_setting(\(setting))").scalar(String.self)
            #expect(value != "0", "\(login.name): \(setting) is not set")
        }
        #expect(try await session.query("SELECT current_setting('search_path')").scalar(String.self) == "public, pg_temp")
        await session.close()
    }

    @Test(arguments: Login.allCases)
    func aLoginHoldsNoPrivilegeOutsideItsRoles(_ login: Login) async throws {
        // NOINHERIT: with no SET ROLE the session can read nothing at all.
        for table in ["tenants", "clients", "api_keys", "worker_runs", "tenant_deletions", "schema_migrations"] {
            let error = try await Self.failure(login, "SELECT count(*) FROM \(identifier: table)")
            #expect(error?.kind == .insufficientPrivilege, "\(login.name) read \(table): \(String(describing: error))")
        }
    }

    @Test(arguments: [Login.admin, .worker, .server])
    func noProgramLoginCanBecomeTheOwnerOrASuperuser(_ login: Login) async throws {
        let inTenant = try await Self.asTenantA()
        for setup in [[], inTenant] {
            for statement: SQL in [
                "SET ROLE collections_owner", "SELECT set_config('role', 'collections_owner', true)",
                "SET LOCAL ROLE collections_owner", "SET SESSION AUTHORIZATION postgres", "SET ROLE postgres",
            ] {
                let error = try await Self.failure(login, setup: setup, statement)
                #expect(error?.kind == .insufficientPrivilege,
                        "\(login.name): \(statement.text) after \(setup.map(\.text)): \(String(describing: error))")
            }
        }
    }

    @Test(arguments: [Login.admin, .worker, .server])
    func insideATenantsTransactionTheSchemaCannotBeChanged(_ login: Login) async throws {
        let inTenant = try await Self.asTenantA()
        for statement: SQL in [
            "ALTER TABLE clients NO FORCE ROW LEVEL SECURITY", "ALTER TABLE clients DISABLE ROW LEVEL SECURITY",
            "DROP POLICY tenant_isolation ON clients", "TRUNCATE clients", "TRUNCATE audit_log",
            // (Temporary tables are allowed, for the importer's staging; they are the
            // session's own and come last in search_path, so they shadow nothing.)
            "CREATE TABLE stash (a int)", "CREATE TABLE public.stash (a int)",
            "CREATE OR REPLACE FUNCTION public.current_tenant_id() RETURNS uuid LANGUAGE sql AS $$ select null::uuid $$",
            "GRANT collections_owner TO collections_app",
        ] {
            // Refused for want of privilege, not for any other reason a typo could give.
            let error = try await Self.failure(login, setup: inTenant, statement)
            #expect(error?.kind == .insufficientPrivilege, "\(login.name): \(statement.text): \(String(describing: error))")
        }
    }

    @Test(arguments: [Login.admin, .worker, .server])
    func insideATenantsTransactionNothingOfAnotherTenantIsVisible(_ login: Login) async throws {
        let book = try await Self.book.value
        let connection = try await PostgresConnection.connect(book.database.configuration(as: login))
        try await connection.transaction { tx in
            for step in try await Self.asTenantA() { try await tx.query(step) }
            #expect(try await tx.query("SELECT id FROM tenants").map { try $0.decode(UUID.self, at: 0) } == [book.a.id])
            #expect(try await tx.query("SELECT count(*) FROM api_keys WHERE tenant_id = \(book.b.id)").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM api_keys").scalar(Int.self) == 1)
            #expect(try await tx.query("SELECT count(*) FROM clients").scalar(Int.self) == 1)
            // Moving to B by setting the tenant again is the only way to B's rows,
            // and it is the tenant's own transaction that does it: never a role.
        }
        await connection.close()
        let inTenant = try await Self.asTenantA()
        for table in ["worker_runs", "tenant_deletions"] {
            let error = try await Self.failure(login, setup: inTenant, "SELECT count(*) FROM \(identifier: table)")
            #expect(error?.kind == .insufficientPrivilege, "\(login.name) read \(table) as collections_app")
        }
    }

    @Test(arguments: [Login.admin, .worker, .server])
    func insideATenantsTransactionKeysCanBeCheckedButNotIssuedRevivedOrRemoved(_ login: Login) async throws {
        let inTenant = try await Self.asTenantA()
        let a = try await Self.book.value.a.id
        for statement: SQL in [
            "INSERT INTO api_keys (tenant_id, prefix, secret_hash) VALUES (\(a), 'mine', sha256('x'::bytea))",
            "UPDATE api_keys SET revoked_at = NULL", "UPDATE api_keys SET secret_hash = sha256('x'::bytea)",
            "DELETE FROM api_keys",
        ] {
            let error = try await Self.failure(login, setup: inTenant, statement)
            #expect(error?.kind == .insufficientPrivilege, "\(login.name): \(statement.text): \(String(describing: error))")
        }
        #expect(try await Self.failure(login, setup: inTenant, "UPDATE api_keys SET last_used_at = now()") == nil)
    }

    @Test func theServerLoginCanTakeNoRoleButTheApps() async throws {
        for role in ["collections_worker", "collections_registry", "collections_owner"] {
            let error = try await Self.failure(.server, "SET LOCAL ROLE \(identifier: role)")
            #expect(error?.kind == .insufficientPrivilege, "the server's login became \(role): \(String(describing: error))")
        }
    }

    @Test func theAgencyRoleIsNoLoginNotTheAppAndOnlyTheServersLoginTakesIt() async throws {
        let book = try await Self.book.value
        let connection = try await book.database.connect()
        let row = try await connection.query("""
            SELECT r.rolcanlogin, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                   pg_has_role('collections_agency', 'collections_app', 'MEMBER'),
                   coalesce((SELECT array_agg(m.rolname::text ORDER BY m.rolname) FROM pg_auth_members a
                             JOIN pg_roles m ON m.oid = a.member WHERE a.roleid = r.oid), '{}')
            FROM pg_roles r WHERE r.rolname = 'collections_agency'
            """).decode((Bool, Bool, Bool, Bool, Bool, Bool, [String]).self)
        await connection.close()
        let (canLogin, superuser, bypassRLS, createRole, createDB, isApp, members) = try #require(row.first)
        #expect(!canLogin && !superuser && !bypassRLS && !createRole && !createDB && !isApp)
        #expect(members == [Login.server.name])
        for login in [Login.admin, .worker, .migrate] {
            let error = try await Self.failure(login, "SET LOCAL ROLE collections_agency")
            #expect(error?.kind == .insufficientPrivilege, "\(login.name) became collections_agency")
        }
        // The agency's role with no agency set reads nothing, and no key.
        let a = try await Self.book.value.a.id
        let setup: [SQL] = ["SET LOCAL ROLE collections_agency", SQL(unescaped: SQL.setLocal("app.tenant_id", to: a))]
        let error = try await Self.failure(.server, setup: setup, "SELECT count(*) FROM api_keys")
        #expect(error?.kind == .insufficientPrivilege)
        #expect(try await Self.failure(.server, setup: setup, "SELECT 1 FROM clients WHERE false") == nil)
    }

    @Test func theWorkerLoginReadsActiveTenantsAndTheRunLogButWritesNoTenant() async throws {
        let book = try await Self.book.value
        let worker = CollectionsDatabase(configuration: book.database.configuration(as: .worker))
        let slugs = try await TenantDirectory(database: worker).active().map(\.slug)
        #expect(slugs.contains(book.a.slug) && slugs.contains(book.b.slug))
        #expect(try await worker.asWorker { try await $0.query("SELECT count(*) FROM worker_runs").scalar(Int.self) } ?? 0 >= 1)
        await worker.close()
        for statement: SQL in [
            "UPDATE tenants SET status = 'suspended'", "INSERT INTO tenants (slug, name, time_zone) VALUES ('x-y', 'x', 'UTC')",
            "SELECT count(*) FROM clients", "SELECT count(*) FROM api_keys", "SET LOCAL ROLE collections_registry",
        ] {
            let error = try await Self.failure(.worker, setup: ["SET LOCAL ROLE collections_worker"], statement)
            #expect(error?.kind == .insufficientPrivilege, "collections_worker: \(statement.text): \(String(describing: error))")
        }
    }

    @Test func theRegistryReadsNoTenantsRowsWithoutThatTenantSet() async throws {
        let error = try await Self.failure(.admin, setup: ["SET LOCAL ROLE collections_registry"], "TRUNCATE tenants")
        #expect(error?.kind == .insufficientPrivilege)
        let book = try await Self.book.value
        let connection = try await PostgresConnection.connect(book.database.configuration(as: .admin))
        try await connection.transaction { tx in
            try await tx.simpleQuery("SET LOCAL ROLE collections_registry")
            #expect(try await tx.query("SELECT count(*) FROM clients").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM api_keys").scalar(Int.self) == 0)
            #expect(try await tx.query("SELECT count(*) FROM tenants WHERE id IN (\(book.a.id), \(book.b.id))").scalar(Int.self) == 2)
        }
        await connection.close()
        let write = try await Self.failure(
            .admin, setup: ["SET LOCAL ROLE collections_registry"],
            "INSERT INTO clients (tenant_id, ref, name) VALUES (\(book.a.id), 'X', 'x')")
        #expect(write?.kind == .insufficientPrivilege)
    }

    @Test func theMigrateLoginIsTheOwnerAndNothingElse() async throws {
        for role in ["collections_app", "collections_worker", "collections_registry"] {
            let error = try await Self.failure(.migrate, "SET LOCAL ROLE \(identifier: role)")
            #expect(error?.kind == .insufficientPrivilege, "the migrate login became \(role): \(String(describing: error))")
        }
        // Even as the owner, forced row-level security shows no tenant's rows.
        let book = try await Self.book.value
        let connection = try await PostgresConnection.connect(book.database.configuration(as: .migrate))
        let clients = try await connection.transaction { tx in
            try await tx.simpleQuery("SET LOCAL ROLE collections_owner")
            return try await tx.query("SELECT count(*) FROM clients").scalar(Int.self)
        }
        #expect(clients == 0)
        await connection.close()
    }
}
