import Foundation
import Postgres

/// The worker's view of the tenants: the active ones, read only, as
/// `collections_worker` (sql/0011). A suspended or deleted tenant is simply not
/// in it.
public struct TenantDirectory: Sendable {
    public let database: CollectionsDatabase
    public init(database: CollectionsDatabase) { self.database = database }

    /// Every active tenant, by slug.
    public func active() async throws -> [Tenant] {
        try await database.asWorker { tx in
            try await tx.query("SELECT \(unescaped: Tenant.columns) FROM tenants WHERE status = 'active' ORDER BY slug")
                .map(Tenant.init(row:))
        }
    }

    /// The active tenant with this slug.
    public func find(_ slug: String) async throws -> Tenant {
        try await database.asWorker { tx in
            guard let row = try await tx.query("""
                SELECT \(unescaped: Tenant.columns) FROM tenants WHERE slug = \(slug) AND status = 'active'
                """).first else {
                throw ServiceError.notFound("no active tenant with slug \"\(slug)\" (it does not exist or is suspended)")
            }
            return try Tenant(row: row)
        }
    }
}
