import CollectionsService
import Foundation
import Synchronization

/// Tenants' own rows (settings: time zone, report periods, default currency),
/// read as the tenant and kept for `lifetime`, so a report request costs the
/// report's one transaction rather than two. A changed setting shows within
/// `lifetime`; whether the tenant may act is still checked by every tenant
/// transaction (a suspended tenant reads nothing, cached row or not).
final class TenantCache: Sendable {
    private let database: CollectionsDatabase
    private let lifetime: Duration
    private let entries = Mutex<[UUID: (tenant: Tenant, until: ContinuousClock.Instant)]>([:])

    init(database: CollectionsDatabase, lifetime: Duration) {
        self.database = database
        self.lifetime = lifetime
    }

    func tenant(_ id: UUID) async throws -> Tenant {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[id] }), cached.until > now { return cached.tenant }
        let tenant = try await Tenant.own(id, database: database)
        entries.withLock { entries in
            if entries.count > 10_000 { entries = entries.filter { $0.value.until > now } }
            entries[id] = (tenant, now + lifetime)
        }
        return tenant
    }
}
