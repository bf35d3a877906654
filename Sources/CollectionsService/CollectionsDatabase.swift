import Foundation
import Postgres

/// The service's handle on its database: a pool, and the only two ways in.
///
/// Tenant data is reached only through `withTenant`, which runs the work as
/// `collections_app` with the tenant set for that one transaction, so row-level
/// security decides what is visible whatever login the URL names. The tenant
/// registry is reached only through `asOwner`.
public final class CollectionsDatabase: Sendable {
    public let pool: ConnectionPool

    public init(configuration: ConnectionConfiguration, maxConnections: Int = 8) {
        pool = ConnectionPool(configuration: configuration, maxConnections: maxConnections)
    }

    public convenience init(url: String, maxConnections: Int = 8) throws {
        self.init(configuration: try ConnectionConfiguration(url), maxConnections: maxConnections)
    }

    public func close() async { await pool.close() }

    /// Runs `body` in one transaction for one tenant, as `collections_app`.
    ///
    /// `SET LOCAL ROLE` and `set_config(..., true)` both end with the transaction,
    /// so a pooled connection (or pgbouncer in transaction mode) carries neither
    /// into the next borrower's work. The tenant id is a bound parameter.
    @discardableResult
    public func withTenant<T>(
        _ tenant: UUID, isolation: IsolationLevel = .readCommitted, readOnly: Bool = false,
        retry: RetryPolicy = .transient(attempts: 5),
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await pool.transaction(isolation: isolation, readOnly: readOnly, retry: retry) { tx in
            let setup = try await tx.pipeline([
                "SET LOCAL ROLE collections_app",
                "SELECT set_config('app.tenant_id', \(tenant.uuidString.lowercased()), true)",
                "SELECT current_tenant_is_active()",
            ])
            // Row-level security already hides a suspended tenant's rows and refuses
            // its writes; saying so beats an empty answer or a policy violation.
            guard try setup[2].scalar(Bool.self) == true else {
                throw ServiceError(.suspended, "the tenant is suspended or does not exist; nothing was read or changed")
            }
            return try await body(tx)
        }
    }

    /// Runs `body` in one transaction as `collections_owner`, for the tenant
    /// registry and admin work. Tenant tables stay under forced row-level security
    /// even here: the owner sees a tenant's rows only with that tenant set.
    @discardableResult
    public func asOwner<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.transaction { tx in
            try await tx.simpleQuery("SET LOCAL ROLE collections_owner")
            return try await body(tx)
        }
    }
}
