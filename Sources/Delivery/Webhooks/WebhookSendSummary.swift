/// What one `WebhookSender.sendDue` did, for the worker's log and its tests.
public struct WebhookSendSummary: Sendable, Equatable, CustomStringConvertible {
    /// Answered 2xx.
    public var delivered = 0
    /// Failed this time and due again later.
    public var retried = 0
    /// Failed for good: a day of failures (the endpoint is disabled with them).
    public var failed = 0

    public init(delivered: Int = 0, retried: Int = 0, failed: Int = 0) {
        self.delivered = delivered
        self.retried = retried
        self.failed = failed
    }

    public var description: String { "\(delivered) delivered, \(retried) to retry, \(failed) failed" }
}
