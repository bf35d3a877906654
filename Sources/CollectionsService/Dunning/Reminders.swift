public import Foundation
public import Postgres

/// The reminder queue of one tenant.
public struct Reminders: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// The reminders scheduled on `date` (default: the tenant's today), by client
    /// and invoice.
    public func scheduled(on date: CalendarDate? = nil) async throws -> (date: CalendarDate, reminders: [Reminder]) {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = if let date { date } else { try await Ledger.today(tenant, in: tx) }
            return (date, try await tx.query("""
                SELECT r.scheduled_on, c.ref AS client_ref, c.name AS client_name, i.number AS invoice_number,
                       i.due_on, r.offset_days, r.channel,
                       CASE r.channel WHEN 'email' THEN c.email WHEN 'sms' THEN c.phone WHEN 'call' THEN c.phone END AS address,
                       r.currency, r.balance_minor
                FROM reminders r
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = r.client_id
                JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = r.invoice_id
                WHERE r.tenant_id = \(tenant) AND r.scheduled_on = \(date)
                ORDER BY c.ref, i.number, r.offset_days
                """).map(Reminder.init(row:)))
        }
    }

    /// The statement that queues `tenant`'s reminders scheduled on `asOf`: one
    /// row, one column, how many were queued (none on a rerun).
    static func queueStatement(tenant: UUID, asOf: CalendarDate, graceDays: Int) -> SQL {
        "SELECT worker_queue_reminders(\(tenant), \(asOf), \(Int32(graceDays))::int) AS queued"
    }

    static func queuedCount(_ rows: PostgresRows) throws -> Int {
        guard let queued = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "worker_queue_reminders returned no count")
        }
        return queued
    }
}
