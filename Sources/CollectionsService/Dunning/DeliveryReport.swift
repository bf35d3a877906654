public import Foundation
public import Postgres

/// A day's outbox (sql/0015): every message with its delivery state, and the
/// lines the day's gate suppressed, each with its rule and reason in words.
/// `report deliveries` and `GET /v1/reports/deliveries` print it alike.
public struct DeliveryReport: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var queued = 0
        public var sent = 0
        public var failed = 0
        /// Messages refused at send time, and invoice lines refused by the day's gate.
        public var suppressed = 0
        /// Letters and calls: a collector's tasks.
        public var tasks = 0
    }

    public struct Message: Sendable, Codable, Equatable {
        public var clientRef: String
        public var channel: String
        public var step: String
        public var address: String?
        public var status: String
        public var attempts: Int
        public var nextAttemptAt: Date?
        public var sentAt: Date?
        public var rule: String?
        public var reason: String?
        public var lastError: String?
        /// The SMS provider's last delivery receipt.
        public var receipt: String?
    }

    public struct Suppression: Sendable, Codable, Equatable {
        public var clientRef: String
        public var channel: String
        public var step: String
        public var invoiceNumber: String
        public var rule: String
        public var reason: String
    }

    public var tenant: String
    public var asOf: CalendarDate
    public var counts: Counts
    public var messages: [Message]
    public var suppressed: [Suppression]

    /// The report of `date` (default: the tenant's today).
    public static func make(database: CollectionsDatabase, tenant: Tenant, on date: CalendarDate? = nil) async throws -> Self {
        let id = tenant.id
        return try await database.ledger(id, readOnly: true) { tx in
            let date = if let date { date } else { try await Ledger.today(id, in: tx) }
            return try make(
                tenant: tenant, on: date, messages: try await tx.query(messagesSQL(id, date)),
                suppressed: try await tx.query(suppressionsSQL(id, date)))
        }
    }

    /// The outbox's messages of the day, by client and channel.
    static func messagesSQL(_ tenant: UUID, _ date: CalendarDate) -> SQL {
        """
        SELECT c.ref, m.channel, m.step, m.address, m.status, m.attempts, m.next_attempt_at, m.sent_at, m.rule,
               m.reason, m.last_error, m.receipt
        FROM dunning_messages m JOIN clients c ON c.tenant_id = \(tenant) AND c.id = m.client_id
        WHERE m.tenant_id = \(tenant) AND m.scheduled_on = \(date)
        ORDER BY c.ref, m.channel
        """
    }

    /// The invoice lines the day's gate suppressed, by client, channel and invoice.
    static func suppressionsSQL(_ tenant: UUID, _ date: CalendarDate) -> SQL {
        """
        SELECT c.ref, s.channel, s.step, i.number, s.rule, s.reason
        FROM dunning_suppressions s
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = s.client_id
        JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = s.invoice_id
        WHERE s.tenant_id = \(tenant) AND s.scheduled_on = \(date)
        ORDER BY c.ref, s.channel, i.number
        """
    }

    /// The report read from the rows of `messagesSQL` and `suppressionsSQL`.
    static func make(tenant: Tenant, on date: CalendarDate, messages: PostgresRows, suppressed: PostgresRows) throws -> Self {
        let messages = try messages.map { row in
            Message(clientRef: try row["ref"], channel: try row["channel"], step: try row["step"],
                    address: try row["address"], status: try row["status"],
                    attempts: Int(try row["attempts", as: Int32.self]), nextAttemptAt: try row["next_attempt_at"],
                    sentAt: try row["sent_at"], rule: try row["rule"], reason: try row["reason"],
                    lastError: try row["last_error"], receipt: try row["receipt"])
        }
        let suppressed = try suppressed.map { row in
            Suppression(clientRef: try row["ref"], channel: try row["channel"], step: try row["step"],
                        invoiceNumber: try row["number"], rule: try row["rule"], reason: try row["reason"])
        }
        var counts = Counts()
        for message in messages {
            switch message.status {
            case "queued": counts.queued += 1
            case "sent": counts.sent += 1
            case "failed": counts.failed += 1
            case "suppressed": counts.suppressed += 1
            default: counts.tasks += 1
            }
        }
        counts.suppressed += suppressed.count
        return DeliveryReport(tenant: tenant.slug, asOf: date, counts: counts, messages: messages, suppressed: suppressed)
    }
}
