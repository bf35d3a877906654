import Crypto
public import Foundation
package import Postgres

/// A tenant's webhook endpoints: created (with the secret shown once), listed,
/// disabled, enabled and replayed; every change audited.
public struct WebhookEndpoints: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Adds an endpoint receiving `eventTypes` (empty: every type). The secret is
    /// generated here, from the system's secure generator, never chosen by a
    /// person: it is what proves to the lender that a request came from us.
    public func create(url: String, eventTypes: [WebhookEventType] = [], actor: String) async throws -> CreatedWebhookEndpoint {
        let actor = try Check.actor(actor)
        let url = try Self.checkURL(url)
        let secret = Self.newSecret()
        var types: [String] = []
        for type in eventTypes where !types.contains(type.rawValue) { types.append(type.rawValue) }
        return try await database.ledger(tenant) { tx in
            let row = try await tx.query("""
                INSERT INTO webhook_endpoints AS e (tenant_id, url, secret, event_types, created_at)
                VALUES (\(tenant), \(url), \(secret), \(types), \(Date()))
                RETURNING \(unescaped: WebhookEndpoint.columns)
                """)
            let endpoint = try WebhookEndpoint(row: row[0])
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "webhook_endpoint",
                                   entityID: endpoint.id.uuidString.lowercased(), before: nil, after: endpoint)
            return CreatedWebhookEndpoint(endpoint: endpoint, secret: secret)
        }
    }

    /// The tenant's endpoints, oldest first (never their secrets).
    public func list() async throws -> [WebhookEndpoint] {
        try await database.ledger(tenant, readOnly: true) { tx in
            try await tx.query("""
                SELECT \(unescaped: WebhookEndpoint.columns) FROM webhook_endpoints e
                WHERE e.tenant_id = \(tenant)
                ORDER BY e.created_at, e.id
                """).map(WebhookEndpoint.init(row:))
        }
    }

    /// Stops sending to the endpoint: its pending deliveries fail with `reason`, and
    /// events while it is disabled are recorded for it as failed, so that `replay`
    /// sends all it missed once it is mended.
    public func disable(_ id: UUID, reason: String = "disabled by the lender", actor: String) async throws -> WebhookEndpoint {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason", 1...2000)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.locked(id, tenant: tenant, in: tx)
            if before.status == .disabled { throw ServiceError.conflict("the endpoint was disabled already") }
            let after = try await Self.disable(id, reason: reason, at: Date(), tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "disable", entity: "webhook_endpoint",
                                   entityID: id.uuidString.lowercased(), before: before, after: after)
            return after
        }
    }

    /// Sends to the endpoint again, from now on: what failed meanwhile stays failed
    /// until `replay` asks for it.
    public func enable(_ id: UUID, actor: String) async throws -> WebhookEndpoint {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.locked(id, tenant: tenant, in: tx)
            if before.status == .active { throw ServiceError.conflict("the endpoint is active already") }
            let after = try await Self.enable(id, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "enable", entity: "webhook_endpoint",
                                   entityID: id.uuidString.lowercased(), before: before, after: after)
            return after
        }
    }

    /// Queues again the endpoint's failed deliveries of events since `since` (nil:
    /// all), due at once and with a fresh day (and backoff) to succeed in, and enables the
    /// endpoint: a replay is asked for when the lender's server is mended. Returns
    /// how many were queued. The events keep their ids, so a lender that got one
    /// after all (its answer was lost) can tell it by its webhook-id.
    public func replay(_ id: UUID, since: Date? = nil, actor: String) async throws -> Int {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.locked(id, tenant: tenant, in: tx)
            let after = before.status == .disabled ? try await Self.enable(id, tenant: tenant, in: tx) : before
            let queued = try await tx.execute("""
                UPDATE webhook_deliveries d
                SET status = 'pending', attempts = 0, next_attempt_at = \(Date()), first_failed_at = NULL
                FROM webhook_events v
                WHERE d.tenant_id = \(tenant) AND d.endpoint_id = \(id) AND d.status = 'failed'
                  AND v.tenant_id = \(tenant) AND v.id = d.event_id
                  AND (\(since)::timestamptz IS NULL OR v.occurred_at >= \(since))
                """)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "replay", entity: "webhook_endpoint",
                                   entityID: id.uuidString.lowercased(), before: before,
                                   after: Replayed(endpoint: after, since: since, queued: queued))
            return queued
        }
    }

    /// What the audit log keeps of a replay.
    private struct Replayed: Encodable {
        let endpoint: WebhookEndpoint
        let since: Date?
        let queued: Int
    }

    /// The endpoint, locked against a concurrent change; another tenant's is as missing as none.
    private static func locked(_ id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> WebhookEndpoint {
        guard let row = try await tx.query("""
            SELECT \(unescaped: WebhookEndpoint.columns) FROM webhook_endpoints e
            WHERE e.tenant_id = \(tenant) AND e.id = \(id)
            FOR UPDATE
            """).first else {
            throw ServiceError.notFound("no webhook endpoint \(id.uuidString.lowercased())")
        }
        return try WebhookEndpoint(row: row)
    }

    /// Disables the endpoint and fails its pending deliveries, in the caller's
    /// transaction: the lender's `disable` and the sender's giving up after a day of
    /// failures are one rule. A delivery another sender holds at the moment is
    /// skipped, not waited for (two senders giving up on one endpoint at once would
    /// otherwise wait for each other): it stays as that sender leaves it, and a
    /// pending one waits, unsent, for the endpoint to be enabled.
    package static func disable(
        _ id: UUID, reason: String, at time: Date, tenant: UUID, in tx: PostgresConnection
    ) async throws -> WebhookEndpoint {
        let reason = String(reason.prefix(2000))
        let rows = try await tx.query("""
            WITH failed AS (
                UPDATE webhook_deliveries d
                SET status = 'failed', last_error = \("the endpoint was disabled: " + reason)
                WHERE d.tenant_id = \(tenant) AND (d.event_id, d.endpoint_id) IN (
                    SELECT p.event_id, p.endpoint_id FROM webhook_deliveries p
                    WHERE p.tenant_id = \(tenant) AND p.endpoint_id = \(id) AND p.status = 'pending'
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1
            )
            UPDATE webhook_endpoints e
            SET status = 'disabled', disabled_at = \(time), disabled_reason = \(reason)
            WHERE e.tenant_id = \(tenant) AND e.id = \(id)
            RETURNING \(unescaped: WebhookEndpoint.columns)
            """)
        guard let row = rows.first else { throw ServiceError.notFound("no webhook endpoint \(id.uuidString.lowercased())") }
        return try WebhookEndpoint(row: row)
    }

    private static func enable(_ id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> WebhookEndpoint {
        let rows = try await tx.query("""
            UPDATE webhook_endpoints e
            SET status = 'active', disabled_at = NULL, disabled_reason = NULL
            WHERE e.tenant_id = \(tenant) AND e.id = \(id)
            RETURNING \(unescaped: WebhookEndpoint.columns)
            """)
        return try WebhookEndpoint(row: rows[0])
    }

    /// An absolute http or https URL with a host, as the schema's check wants it,
    /// refused in words rather than by a constraint's name.
    static func checkURL(_ text: String) throws -> String {
        let url = try Check.text(text, "the webhook URL", 1...2000)
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty,
              url.range(of: #"^https?://[^/\s?#]+"#, options: .regularExpression) != nil,
              !url.contains(where: \.isWhitespace) else {
            throw ServiceError.invalid("the webhook URL must be an absolute http:// or https:// URL with a host, not \(url)")
        }
        return url
    }

    /// `whsec_` and the base64 of 32 bytes from the system's secure generator.
    static func newSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        return "whsec_" + key.withUnsafeBytes { Data($0) }.base64EncodedString()
    }
}
