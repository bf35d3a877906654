import CollectionsService
import Foundation

/// Tenants' own rows (settings: time zone, report periods, default currency),
/// read as the tenant and kept for `lifetime`, so a report request costs the
/// report's one transaction rather than two. A changed setting shows within
/// `lifetime`; whether the tenant may act is still checked by every tenant
/// transaction (a suspended tenant reads nothing, cached row or not).
final class TenantCache: Sendable {
    private let database: CollectionsDatabase
    private let entries: ExpiringCache<UUID, Tenant>

    init(database: CollectionsDatabase, lifetime: Duration) {
        self.database = database
        entries = ExpiringCache(lifetime: lifetime)
    }

    func tenant(_ id: UUID) async throws -> Tenant {
        if let cached = entries.value(for: id) { return cached }
        let tenant = try await Tenant.own(id, database: database)
        entries.remember(tenant, for: id)
        return tenant
    }
}
