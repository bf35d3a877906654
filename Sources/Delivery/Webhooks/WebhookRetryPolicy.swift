/// When a failed webhook delivery is tried again, and when it is given up.
///
/// Standard Webhooks senders back off exponentially with jitter, so that a lender
/// whose server comes back is not hit by every retry at once, and give up after
/// a day: a delivery failing that long means the endpoint is broken, and the
/// lender mends it and asks for a replay. Tests pass short delays and limits
/// instead of waiting.
public struct WebhookRetryPolicy: Sendable, Equatable {
    /// The waits after the first, second, ... failure.
    public var delays: [Duration]
    /// The wait after every failure beyond `delays`.
    public var thenEvery: Duration
    /// How long after its first failure a delivery fails for good (and its endpoint is disabled).
    public var giveUpAfter: Duration
    /// The share of each wait drawn at random, either way (0.2: 80% to 120% of it).
    public var jitter: Double
    /// How long one request may take, answer included.
    public var timeout: Duration

    public init(
        delays: [Duration], thenEvery: Duration, giveUpAfter: Duration, jitter: Double = 0.2,
        timeout: Duration = .seconds(10)
    ) {
        self.delays = delays
        self.thenEvery = thenEvery
        self.giveUpAfter = giveUpAfter
        self.jitter = min(max(jitter, 0), 1)
        self.timeout = timeout
    }

    /// 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, then every 4 h, for 24 h.
    public static let standard = WebhookRetryPolicy(
        delays: [.seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(1800), .seconds(3600), .seconds(7200)],
        thenEvery: .seconds(4 * 3600), giveUpAfter: .seconds(24 * 3600))

    /// The wait after the `failures`-th failure in a row (1 for the first), jitter applied.
    public func delay(afterFailure failures: Int) -> Duration {
        let base = failures >= 1 && failures <= delays.count ? delays[failures - 1] : thenEvery
        guard jitter > 0 else { return base }
        return base * Double.random(in: (1 - jitter)...(1 + jitter))
    }
}
