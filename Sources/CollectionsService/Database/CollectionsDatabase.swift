public import Foundation
public import Postgres

/// The service's handle on its database: a pool, and the only three ways in.
///
/// Each way runs its work in one transaction under one group role, taken with
/// `SET LOCAL ROLE`: tenant data only through `withTenant` (as `collections_app`,
/// the tenant set, row-level security deciding what is visible), the tenant
/// registry only through `asRegistry`, the worker's directory and run log only
/// through `asWorker`. The programs log in as NOINHERIT logins, so a connection
/// has no privilege of its own outside these transactions, and may take only the
/// roles its login was given: the HTTP server's login cannot become the registry,
/// nor any login the schema's owner (DESIGN.md "Tenancy recipe").
public final class CollectionsDatabase: Sendable {
    /// The group roles a program's work runs as (sql/bootstrap.sql).
    public enum Role: String, Sendable, CaseIterable {
        case app = "collections_app"
        case worker = "collections_worker"
        case registry = "collections_registry"
    }

    public let pool: ConnectionPool

    /// `acquireTimeout` is how long a task waits for a free connection before it is
    /// refused (`PostgresError.poolTimeout`, a 503 over HTTP).
    public init(configuration: ConnectionConfiguration, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(10)) {
        pool = ConnectionPool(configuration: configuration, maxConnections: maxConnections, acquireTimeout: acquireTimeout)
    }

    public convenience init(url: String, maxConnections: Int = 8) throws {
        self.init(configuration: try ConnectionConfiguration(url), maxConnections: maxConnections)
    }

    public func close() async { await pool.close() }

    /// Runs `body` in one transaction for one tenant, as `collections_app` (or,
    /// for an agency's request, `CollectionsDatabase.agency`, as `collections_agency`).
    ///
    /// `SET LOCAL ROLE` and `SET LOCAL app.tenant_id` both end with the
    /// transaction, so a pooled connection (or pgbouncer in transaction mode)
    /// carries neither into the next borrower's work; Citus propagates `SET LOCAL`
    /// to its workers, never `set_config` (DESIGN.md "Scale-out"). The settings go
    /// with `BEGIN` and the tenant's check alone after them: two round trips, and
    /// no query in a string that holds a `SET LOCAL` (Citus refuses one there).
    /// `reporting` also switches JIT off for the transaction (`Reporting.settings`),
    /// with the other settings, for a transaction that runs report statements.
    @discardableResult
    public func withTenant<T>(
        _ tenant: UUID, isolation: IsolationLevel = .readCommitted, readOnly: Bool = false,
        reporting: Bool = false, retry: RetryPolicy = .transient(attempts: 5),
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let agency = Self.agency
        // An agency's key: its own role, only its placed accounts (sql/0018).
        let role = agency == nil ? "collections_app" : "collections_agency"
        let scope = agency.map { "; \(SQL.setLocal("app.agency_id", to: $0))" } ?? ""
        let settings = reporting ? "; \(Reporting.settings)" : ""
        let preamble = "SET LOCAL ROLE \(role); \(SQL.setLocal("app.tenant_id", to: tenant))\(scope)\(settings)"
        return try await pool.transaction(isolation: isolation, readOnly: readOnly, retry: retry, preamble: preamble) { tx in
            let active = try await tx.simpleQuery("SELECT current_tenant_is_active()")
            // Row-level security already hides a suspended tenant's rows and refuses
            // its writes; saying so beats an empty answer or a policy violation.
            guard try active.scalar(Bool.self) == true else {
                throw ServiceError(.suspended, "the tenant is suspended or does not exist; nothing was read or changed")
            }
            return try await body(tx)
        }
    }

    /// Runs `body` in one transaction as `collections_registry`: creating,
    /// configuring, suspending and deleting tenants, issuing and revoking keys.
    /// Tenant tables stay under forced row-level security here too: the registry
    /// sees a tenant's rows only with that tenant set (`setTenant`).
    @discardableResult
    public func asRegistry<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await `as`(.registry, body)
    }

    /// Runs `body` in one transaction as `collections_worker`: the directory of
    /// active tenants and the run log, nothing else.
    @discardableResult
    public func asWorker<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await `as`(.worker, body)
    }

    private func `as`<T>(_ role: Role, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.transaction(preamble: "SET LOCAL ROLE \(role.rawValue)") { tx in try await body(tx) }
    }

    /// Asks PostgreSQL to refresh the planner's statistics of `tables` after a
    /// bulk write, as it advises: until autovacuum gets to them the planner plans
    /// with the old row counts. Only the tables' owner may ANALYZE, and no
    /// program's login is the owner (only `migrate` is), so for them PostgreSQL
    /// skips the tables with a warning and autovacuum does it within its naptime;
    /// a superuser's URL (a developer's cluster, the benchmarks) gets it at once.
    /// Best effort: the write it follows has committed.
    public func analyze(_ tables: [String]) async {
        let names = tables.map(SQL.quoteIdentifier).joined(separator: ", ")
        _ = try? await pool.transaction { tx in try await tx.simpleQuery("ANALYZE \(names)") }
    }

    /// Refuses to go on, in words, unless the schema carries every migration this
    /// binary has: a program started before `migrate` ran (or by an older
    /// binary's migrate) would otherwise fail on its first query with "relation
    /// does not exist" or worse, half-way through its work.
    public func requireCurrentSchema() async throws {
        let expected = SchemaVersion.migrations
        let applied: [Int]
        do {
            applied = try await `as`(.app) { tx in
                try await tx.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.decode(Int.self, at: 0) }
            }
        } catch let error as PostgresError where ["42P01", "42501", "22023", "42704"].contains(error.sqlState ?? "") {
            // No schema_migrations, no grant on it (before 0011), no such role.
            throw ServiceError.refused("the database is not migrated to this version (migration \(expected.last ?? 0)): run collections-admin migrate")
        }
        let missing = expected.filter { !applied.contains($0) }
        guard missing.isEmpty else {
            throw ServiceError.refused("the database lacks migration \(missing.map(String.init).joined(separator: ", ")) of this version: run collections-admin migrate")
        }
    }

    /// Sets the tenant for the rest of the transaction, for the registry's work
    /// on one tenant's keys and audit rows.
    static func setTenant(_ tenant: UUID, in tx: PostgresConnection) async throws {
        try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: tenant))
    }
}
