import Crypto
import Foundation
import Synchronization

/// Keys verified in the last `lifetime`, by their SHA-256, so a busy key costs
/// one database round trip per `lifetime` rather than one per request. A key
/// revoked (or a tenant suspended) is refused at most `lifetime` later; every
/// tenant transaction still checks that its tenant is active.
final class KeyCache: Sendable {
    private let lifetime: Duration
    private let entries = Mutex<[Data: (tenant: UUID, until: ContinuousClock.Instant)]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    static func digest(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    func tenant(for digest: Data, now: ContinuousClock.Instant = .now) -> UUID? {
        entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard entry.until > now else {
                entries[digest] = nil
                return nil
            }
            return entry.tenant
        }
    }

    func remember(_ digest: Data, tenant: UUID, now: ContinuousClock.Instant = .now) {
        guard lifetime > .zero else { return }
        entries.withLock { entries in
            if entries.count > 10_000 { entries = entries.filter { $0.value.until > now } }
            entries[digest] = (tenant, now + lifetime)
        }
    }
}
