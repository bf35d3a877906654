/// The server's limits (DESIGN.md "HTTP API": a body size limit, a per-key rate
/// limit, a request timeout; the statement timeout is the login's).
public struct HTTPLimits: Sendable {
    /// Largest JSON body, in bytes.
    public var maxJSONBody: Int
    /// Largest CSV import body, in bytes.
    public var maxImportBody: Int
    /// Requests per second one key may make, on average.
    public var requestsPerSecond: Double
    /// Requests one key may make at once before the average applies.
    public var burst: Int
    /// How long a request may take before it is answered 503.
    public var requestTimeout: Duration
    /// How long an import (CSV) request may take.
    public var importTimeout: Duration

    public init(
        maxJSONBody: Int = 1 << 20, maxImportBody: Int = 20 << 20, requestsPerSecond: Double = 50, burst: Int = 100,
        requestTimeout: Duration = .seconds(30), importTimeout: Duration = .seconds(300)
    ) {
        self.maxJSONBody = maxJSONBody
        self.maxImportBody = maxImportBody
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.requestTimeout = requestTimeout
        self.importTimeout = importTimeout
    }
}
