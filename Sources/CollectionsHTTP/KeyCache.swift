import Crypto
import Foundation

/// Keys verified in the last `lifetime`, by their SHA-256. A key revoked (or a
/// tenant suspended) is refused at most `lifetime` later; every tenant
/// transaction still checks that its tenant is active.
final class KeyCache: Sendable {
    /// What a key opens: its tenant, and the agency it was issued for (nil: the lender's key).
    struct Scope: Sendable, Equatable {
        var tenant: UUID
        var agency: UUID?
    }

    private let entries: ExpiringCache<Data, Scope>

    init(lifetime: Duration) { entries = ExpiringCache(lifetime: lifetime) }

    static func digest(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    func tenant(for digest: Data, now: ContinuousClock.Instant = .now) -> UUID? {
        entries.value(for: digest, now: now)?.tenant
    }

    func scope(for digest: Data, now: ContinuousClock.Instant = .now) -> Scope? {
        entries.value(for: digest, now: now)
    }

    func remember(_ digest: Data, tenant: UUID, agency: UUID? = nil, now: ContinuousClock.Instant = .now) {
        entries.remember(Scope(tenant: tenant, agency: agency), for: digest, now: now)
    }
}
