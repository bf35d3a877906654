import Synchronization

/// Values kept for `lifetime` after they were read, for the two things a busy
/// key asks about on every request (which tenant it is, that tenant's settings):
/// one database round trip per `lifetime` instead of one per request. Past 10,000
/// entries the expired ones are dropped, so the map stays bounded by the keys
/// active within a `lifetime`.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let lifetime: Duration
    private let entries = Mutex<[Key: (value: Value, until: ContinuousClock.Instant)]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    func value(for key: Key, now: ContinuousClock.Instant = .now) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.until > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func remember(_ value: Value, for key: Key, now: ContinuousClock.Instant = .now) {
        guard lifetime > .zero else { return }
        entries.withLock { entries in
            if entries.count > 10_000 { entries = entries.filter { $0.value.until > now } }
            entries[key] = (value, now + lifetime)
        }
    }
}
