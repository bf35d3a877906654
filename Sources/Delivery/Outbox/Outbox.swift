import Foundation
import CollectionsService
import Postgres

/// The outbox's statements (sql/0015): each runs in the claiming transaction, the
/// one whose row lock keeps every other sender off the message until it is sent
/// and marked, or released by the transaction's end (a sender that dies mid-send
/// releases it, and the next sender sends it again: at least once, one id).
enum Outbox {
    /// The tenant's next message of `channels` due at `at`, locked; a row another
    /// sender holds is skipped, not waited for.
    static func claimNext(_ tx: PostgresConnection, tenant: UUID, channels: [String], at: Date) async throws
        -> OutboxMessage?
    {
        try await tx.query("""
            SELECT \(unescaped: OutboxMessage.columns)
            FROM dunning_messages m
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = m.client_id
            JOIN tenants t ON t.id = \(tenant)
            WHERE m.tenant_id = \(tenant) AND m.status = 'queued' AND m.channel = ANY(\(channels))
              AND coalesce(m.next_attempt_at, m.send_from) <= \(at)
            ORDER BY coalesce(m.next_attempt_at, m.send_from)
            LIMIT 1
            FOR UPDATE OF m SKIP LOCKED
            """).first.map { try OutboxMessage(tenant: tenant, row: $0) }
    }

    /// What the send-time check (delivery_gate) says of the message at `at`,
    /// and, when it may go now, its invoices and plan instalments with their
    /// balances when its day was decided: one round trip.
    struct Gate {
        var rule: String?
        var reason: String?
        var waitUntil: Date?
        var lines: [MessageContent.Line] = []
        var instalments: [MessageContent.Instalment] = []
    }

    static func gate(_ tx: PostgresConnection, _ message: OutboxMessage, at: Date) async throws -> Gate {
        let rows = try await tx.query("""
            SELECT g.rule, g.reason, g.wait_until, l.number, l.seq, l.instalment_count, l.due_on, l.balance_minor,
                   l.currency, l.offset_days
            FROM delivery_gate(\(message.tenant), \(message.client), \(message.channel), \(message.address),
                               \(message.scheduledOn), \(at)) g
            LEFT JOIN LATERAL (
                SELECT i.number, NULL::int AS seq, NULL::int AS instalment_count, i.due_on, d.balance_minor,
                       d.currency, d.offset_days
                FROM dunning_message_invoices d
                JOIN invoices i ON i.tenant_id = \(message.tenant) AND i.id = d.invoice_id
                WHERE d.tenant_id = \(message.tenant) AND d.client_id = \(message.client)
                  AND d.channel = \(message.channel) AND d.scheduled_on = \(message.scheduledOn)
                UNION ALL
                SELECT NULL, n.seq, p.instalment_count, pi.due_on, n.balance_minor, n.currency, n.offset_days
                FROM dunning_message_instalments n
                JOIN plan_instalments pi ON pi.tenant_id = \(message.tenant) AND pi.plan_id = n.plan_id AND pi.seq = n.seq
                JOIN payment_plans p ON p.tenant_id = \(message.tenant) AND p.id = n.plan_id
                WHERE n.tenant_id = \(message.tenant) AND n.client_id = \(message.client)
                  AND n.channel = \(message.channel) AND n.scheduled_on = \(message.scheduledOn)
            ) l ON g.rule IS NULL AND g.wait_until IS NULL
            ORDER BY l.due_on, l.number, l.seq
            """)
        var gate = Gate(rule: try rows.first?["rule"], reason: try rows.first?["reason"],
                        waitUntil: try rows.first?["wait_until"])
        for row in rows {
            if let number: String = try row["number"] {
                gate.lines.append(MessageContent.Line(
                    number: number, dueOn: try row["due_on"],
                    balance: Money(amountMinor: try row["balance_minor"], currency: try row["currency"]),
                    offsetDays: Int(try row["offset_days", as: Int32.self])))
            } else if let seq = try row["seq", as: Int32?.self] {
                gate.instalments.append(MessageContent.Instalment(
                    seq: Int(seq), count: Int(try row["instalment_count", as: Int32.self]), dueOn: try row["due_on"],
                    balance: Money(amountMinor: try row["balance_minor"], currency: try row["currency"]),
                    offsetDays: Int(try row["offset_days", as: Int32.self])))
            }
        }
        return gate
    }

    /// The message's row, in the statements below.
    private static func row(_ message: OutboxMessage) -> SQL {
        """
        m.tenant_id = \(message.tenant) AND m.client_id = \(message.client) AND m.channel = \(message.channel)
          AND m.scheduled_on = \(message.scheduledOn)
        """
    }

    /// Sent: the row says so, and the message becomes the client's outbound
    /// contact note, in one statement.
    static func markSent(_ tx: PostgresConnection, _ message: OutboxMessage, providerID: String?, note: String)
        async throws
    {
        try await tx.execute("""
            WITH note AS (
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, direction, author, body)
                VALUES (\(message.tenant), \(message.client), clock_timestamp(), \(message.channel), 'outbound',
                        'collections-worker deliver', \(note))
                RETURNING id
            )
            UPDATE dunning_messages m
            SET status = 'sent', attempts = m.attempts + 1, sent_at = clock_timestamp(), provider_id = \(providerID),
                note_id = (SELECT id FROM note), last_error = NULL
            WHERE \(row(message))
            """)
    }

    /// Not sent this time; tried again at `next`.
    static func markRetry(_ tx: PostgresConnection, _ message: OutboxMessage, error: String, next: Date) async throws {
        try await tx.execute("""
            UPDATE dunning_messages m
            SET attempts = m.attempts + 1, next_attempt_at = \(next), last_error = left(\(error), 2000)
            WHERE \(row(message))
            """)
    }

    /// Not to be sent now, but at `until` (the contact hours open then).
    static func postpone(_ tx: PostgresConnection, _ message: OutboxMessage, until: Date) async throws {
        try await tx.execute("UPDATE dunning_messages m SET next_attempt_at = \(until) WHERE \(row(message))")
    }

    /// Failed or suppressed for good, with the rule and reason; `attempted` when a
    /// try was made. A refusal of the address itself (SMTP 5xx, a number the
    /// provider cannot text) is also recorded as the address's opt-out, so the
    /// gate refuses it for this client from now on.
    static func markFinal(
        _ tx: PostgresConnection, _ message: OutboxMessage, status: String, rule: String, reason: String,
        attempted: Bool, suppressAddress: Bool
    ) async throws {
        try await tx.execute("""
            UPDATE dunning_messages m
            SET status = \(status), rule = \(rule), reason = left(\(reason), 2000),
                attempts = m.attempts + \(attempted ? 1 : 0),
                last_error = CASE WHEN \(attempted) THEN left(\(reason), 2000) ELSE m.last_error END
            WHERE \(row(message))
            """)
        if suppressAddress, let address = message.address {
            try await tx.execute("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                VALUES (\(message.tenant), \(message.client), \(message.channel), \(address), false,
                        left(\("refused by the provider: " + reason), 200), clock_timestamp())
                """)
        }
    }
}
