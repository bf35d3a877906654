public import AsyncHTTPClient
public import CollectionsService
public import Foundation
public import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Postgres

/// Sends a tenant's due webhook deliveries, signed the Standard Webhooks way.
///
/// One delivery at a time, each in a transaction of its own that claims it with a
/// row lock (`FOR UPDATE SKIP LOCKED`) held while the request is made: two senders
/// never send one delivery while both live, and a sender that dies mid-request
/// leaves it pending, to be sent again under the same `webhook-id` (the event's),
/// by which the lender tells a repeat (DESIGN.md "Deliveries and webhooks"). The
/// request is AsyncHTTPClient's, on its event loop, so no thread of Swift's
/// cooperative pool waits for a lender's server.
public struct WebhookSender: Sendable {
    let database: CollectionsDatabase
    let httpClient: HTTPClient
    let logger: Logger
    let policy: WebhookRetryPolicy

    /// `httpClient` should not follow redirects: a redirect answers no webhook.
    public init(
        database: CollectionsDatabase, httpClient: HTTPClient, logger: Logger = Logger(label: "collections-webhooks"),
        policy: WebhookRetryPolicy = .standard
    ) {
        self.database = database
        self.httpClient = httpClient
        self.logger = logger
        self.policy = policy
    }

    /// Sends every delivery of `tenant` due at `now`, each once; returns what became of them.
    ///
    /// An endpoint that fails is not tried again in this call: its other due
    /// deliveries wait for the next, so a dead server costs one timeout per call
    /// rather than one per event. `now` decides what is due, when the next try is
    /// and when a day of failures is up (tests pass it); the `webhook-timestamp`
    /// is always the clock's when the request goes, as receivers check it against
    /// theirs.
    public func sendDue(tenant: UUID, now: Date = Date()) async throws -> WebhookSendSummary {
        var summary = WebhookSendSummary()
        var failing: [UUID] = []
        while let (endpoint, outcome) = try await sendNext(tenant: tenant, now: now, skipping: failing) {
            switch outcome {
            case .delivered: summary.delivered += 1
            case .retried: summary.retried += 1; failing.append(endpoint)
            case .failed: summary.failed += 1; failing.append(endpoint)
            }
            Counter(label: "collections_webhooks_total", dimensions: [("outcome", outcome.rawValue)]).increment()
        }
        return summary
    }

    enum Outcome: String {
        case delivered, retried, failed
    }

    /// A claimed delivery and what its request needs.
    struct Claim {
        let eventID: UUID
        let endpointID: UUID
        let attempts: Int
        let firstFailedAt: Date?
        let url: String
        let secret: String
        let body: String

        /// `msg_` and the event id's 32 hex digits: the same on every try.
        var webhookID: String { "msg_" + eventID.uuidString.lowercased().replacingOccurrences(of: "-", with: "") }
    }

    /// Claims, sends and records one due delivery; nil when none is left to claim.
    private func sendNext(tenant: UUID, now: Date, skipping failing: [UUID]) async throws -> (UUID, Outcome)? {
        // No retry of the transaction: a request made is not to be made again
        // because the database hiccupped after it (the delivery stays pending).
        try await database.withTenant(tenant, retry: .never) { tx in
            guard let row = try await tx.query("""
                SELECT d.event_id, d.endpoint_id, d.attempts, d.first_failed_at, e.url, e.secret,
                       jsonb_build_object('type', v.type,
                                          'timestamp', to_char(v.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                          'data', v.payload)::text AS body
                FROM webhook_deliveries d
                JOIN webhook_endpoints e ON e.tenant_id = \(tenant) AND e.id = d.endpoint_id AND e.status = 'active'
                JOIN webhook_events v ON v.tenant_id = \(tenant) AND v.id = d.event_id
                WHERE d.tenant_id = \(tenant) AND d.status = 'pending' AND d.next_attempt_at <= \(now)
                  AND d.endpoint_id <> ALL (\(failing)::uuid[])
                ORDER BY d.next_attempt_at, v.occurred_at
                LIMIT 1
                FOR UPDATE OF d SKIP LOCKED
                """).first else { return nil }
            let claim = Claim(
                eventID: try row["event_id"], endpointID: try row["endpoint_id"], attempts: try row["attempts"],
                firstFailedAt: try row["first_failed_at"], url: try row["url"], secret: try row["secret"],
                body: try row["body"])
            let outcome = try await record(await attempt(claim), of: claim, tenant: tenant, now: now, in: tx)
            return (claim.endpointID, outcome)
        }
    }

    /// What one request came to.
    enum Attempt {
        case delivered(status: Int)
        case failed(status: Int?, error: String)
    }

    /// Makes the request. Only a 2xx answer delivers: a redirect is a failure, as
    /// Standard Webhooks has it (a lender's endpoint answers itself).
    func attempt(_ claim: Claim) async -> Attempt {
        let timestamp = Int(Date().timeIntervalSince1970)
        let signature: String
        do {
            signature = try StandardWebhookSignature.sign(
                id: claim.webhookID, timestamp: timestamp, body: Data(claim.body.utf8), secret: claim.secret)
        } catch {
            return .failed(status: nil, error: "\(error)")
        }
        var request = HTTPClientRequest(url: claim.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "webhook-id", value: claim.webhookID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signature)
        request.body = .bytes(ByteBuffer(string: claim.body))
        let timeout = policy.timeout.components
        do {
            let response = try await httpClient.execute(
                request, timeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
            // The answer's body is never read: the timeout covers the request up to the
            // answer's head only, and a body trickled in would hold the claim's transaction.
            let status = Int(response.status.code)
            if (200...299).contains(status) { return .delivered(status: status) }
            return .failed(status: status, error: "the endpoint answered \(status)")
        } catch {
            return .failed(status: nil, error: "the request failed: \(error)")
        }
    }

    /// Stores what became of the delivery, in its claim's transaction.
    private func record(
        _ attempt: Attempt, of claim: Claim, tenant: UUID, now: Date, in tx: PostgresConnection
    ) async throws -> Outcome {
        let key = (tenant: tenant, event: claim.eventID, endpoint: claim.endpointID)
        switch attempt {
        case .delivered(let status):
            try await tx.execute("""
                UPDATE webhook_deliveries d
                SET status = 'delivered', delivered_at = \(now), attempts = d.attempts + 1,
                    last_status_code = \(Int32(status))
                WHERE d.tenant_id = \(key.tenant) AND d.event_id = \(key.event) AND d.endpoint_id = \(key.endpoint)
                """)
            logger.debug("webhook delivered", metadata: ["webhook_id": "\(claim.webhookID)", "status": "\(status)"])
            return .delivered
        case .failed(let status, let error):
            let error = String(error.prefix(2000))
            let firstFailed = claim.firstFailedAt ?? now
            let givingUp = now.timeIntervalSince(firstFailed) >= Self.interval(policy.giveUpAfter)
            let next = now.addingTimeInterval(Self.interval(policy.delay(afterFailure: claim.attempts + 1)))
            try await tx.execute("""
                UPDATE webhook_deliveries d
                SET status = \(givingUp ? "failed" : "pending"), attempts = d.attempts + 1, next_attempt_at = \(next),
                    first_failed_at = \(firstFailed), last_error = \(error), last_status_code = \(status.map(Int32.init))
                WHERE d.tenant_id = \(key.tenant) AND d.event_id = \(key.event) AND d.endpoint_id = \(key.endpoint)
                """)
            guard givingUp else {
                logger.debug("webhook delivery failed; will retry",
                             metadata: ["webhook_id": "\(claim.webhookID)", "error": "\(error)", "next": "\(next)"])
                return .retried
            }
            let since = ISO8601DateFormatter().string(from: firstFailed)
            _ = try await WebhookEndpoints.disable(
                claim.endpointID, reason: "deliveries failed since \(since); the last: \(error)", at: now,
                tenant: tenant, in: tx)
            logger.warning("webhook endpoint disabled after a day of failures",
                           metadata: ["endpoint": "\(claim.endpointID)", "webhook_id": "\(claim.webhookID)", "error": "\(error)"])
            return .failed
        }
    }

    static func interval(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
