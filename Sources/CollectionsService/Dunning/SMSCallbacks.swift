public import Foundation
import Postgres

/// What the SMS provider tells us back, on its signed callbacks: delivery
/// receipts for the texts we sent and the texts clients send us. Each callback is
/// recorded by the provider's id for it (sql/0015 sms_callbacks), so a retried
/// callback changes nothing twice.
public struct SMSCallbacks: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// A receipt (`queued`, `sent`, `delivered`, `undelivered`, `failed`) for the
    /// text the provider knows as `messageID`; false when this one was seen before.
    @discardableResult
    public func receipt(messageID: String, status: String) async throws -> Bool {
        try await database.withTenant(tenant) { tx in
            let new = try await tx.query("""
                INSERT INTO sms_callbacks (tenant_id, kind, provider_id, status)
                VALUES (\(tenant), 'receipt', \(messageID), \(String(status.prefix(64))))
                ON CONFLICT DO NOTHING RETURNING 1
                """).count == 1
            if new {
                try await tx.execute("""
                    UPDATE dunning_messages m SET receipt = \(String(status.prefix(64))), receipt_at = now()
                    WHERE m.tenant_id = \(tenant) AND m.provider_id = \(messageID)
                    """)
            }
            return new
        }
    }

    /// What an inbound text did.
    public enum Inbound: Sendable, Equatable {
        /// Seen before (a retried callback): nothing done again.
        case repeated
        /// From a number no client has: nothing recorded.
        case unknownNumber
        /// Recorded as the client's inbound note.
        case noted
        /// Recorded, and it revoked the client's consent to texts (STOP and its
        /// synonyms: the contact_notes_stop_replies trigger, the one place that
        /// reads them); the lender's name for the one confirmation.
        case revoked(lender: String)
    }

    /// A text from `from` saying `body`: the client's inbound SMS note, in the
    /// transaction that records the callback, so the revocation a STOP makes is
    /// committed before the provider gets its answer.
    public func inbound(messageID: String, from: String, body: String) async throws -> Inbound {
        try await database.withTenant(tenant) { tx in
            let new = try await tx.query("""
                INSERT INTO sms_callbacks (tenant_id, kind, provider_id) VALUES (\(tenant), 'inbound', \(messageID))
                ON CONFLICT DO NOTHING RETURNING 1
                """).count == 1
            guard new else { return .repeated }
            let rows = try await tx.query("""
                WITH client AS (
                    SELECT c.id FROM clients c
                    WHERE c.tenant_id = \(tenant) AND regexp_replace(c.phone, '[^0-9+]', '', 'g') = \(from)
                    ORDER BY c.created_at LIMIT 1
                ),
                note AS (
                    INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, direction, author, body)
                    SELECT \(tenant), client.id, now(), 'sms', 'inbound', 'SMS provider', left(\(body), 10000)
                    FROM client
                    RETURNING client_id
                )
                SELECT client_id FROM note
                """)
            guard let client = try rows.first?["client_id", as: UUID.self] else { return .unknownNumber }
            // The trigger ran at the INSERT's end: its revocation is visible now.
            let revoked = try await tx.query("""
                SELECT t.name FROM contact_permissions p JOIN tenants t ON t.id = \(tenant)
                WHERE p.tenant_id = \(tenant) AND p.client_id = \(client) AND p.channel = 'sms' AND NOT p.granted
                  AND p.source = 'STOP reply' AND p.recorded_at = now()
                LIMIT 1
                """).first
            if let revoked { return .revoked(lender: try revoked["name"]) }
            return .noted
        }
    }
}
