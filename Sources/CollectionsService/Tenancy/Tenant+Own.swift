public import Foundation
import Postgres

extension Tenant {
    /// The tenant's own row, read as the tenant itself (`collections_app` sees
    /// just that row): what a lender's request needs of its settings (time zone,
    /// default currency, report periods) without the registry's role.
    public static func own(_ id: UUID, database: CollectionsDatabase) async throws -> Tenant {
        try await database.withTenant(id, readOnly: true) { tx in
            guard let row = try await tx.query("SELECT \(unescaped: Tenant.columns) FROM tenants WHERE id = \(id)").first else {
                throw ServiceError(.suspended, "the tenant is suspended or does not exist")
            }
            return try Tenant(row: row)
        }
    }
}
