/// What one pass of the sender did, per outcome: messages, then lenders' webhooks.
public struct DeliverySummary: Sendable, Equatable, Codable {
    public var sent = 0
    public var retried = 0
    public var failed = 0
    public var suppressed = 0
    public var postponed = 0
    public var webhooksDelivered = 0
    public var webhooksRetried = 0
    public var webhooksFailed = 0

    public init() {}

    public static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.sent += b.sent
        sum.retried += b.retried
        sum.failed += b.failed
        sum.suppressed += b.suppressed
        sum.postponed += b.postponed
        sum.webhooksDelivered += b.webhooksDelivered
        sum.webhooksRetried += b.webhooksRetried
        sum.webhooksFailed += b.webhooksFailed
        return sum
    }
}
