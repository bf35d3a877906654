public import Foundation

/// How often a message that failed for now is tried again: exponential backoff
/// from `base`, capped at `cap`, each delay scaled by a random 50-100 % (jitter,
/// so that a provider's outage does not end in every sender retrying at once),
/// and failed for good after `limit` attempts.
public struct DeliveryRetries: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    public var limit: Int

    public init(base: TimeInterval = 30, cap: TimeInterval = 1800, limit: Int = 8) {
        self.base = base
        self.cap = cap
        self.limit = limit
    }

    /// The wait after the `attempt`-th failed try (1 for the first).
    public func delay(after attempt: Int, random: Double = Double.random(in: 0.5...1.0)) -> TimeInterval {
        let exponential = base * pow(2, Double(max(0, min(attempt - 1, 30))))
        return min(exponential, cap) * random
    }
}
