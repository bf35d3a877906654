public import Foundation
public import Postgres

/// The queued dunning of one tenant, invoice by invoice (`report reminders`); the
/// messages themselves, grouped, are `DunningPlans`'.
public struct Reminders: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// The invoices the messages queued on `date` (default: the tenant's today) are
    /// about, by client and invoice.
    public func scheduled(on date: CalendarDate? = nil) async throws -> (date: CalendarDate, reminders: [Reminder]) {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = if let date { date } else { try await Ledger.today(tenant, in: tx) }
            return (date, try await tx.query("""
                SELECT mi.scheduled_on, c.ref AS client_ref, c.name AS client_name, i.number AS invoice_number,
                       i.due_on, mi.offset_days, mi.channel, m.address, mi.currency, mi.balance_minor
                FROM dunning_message_invoices mi
                JOIN dunning_messages m
                  ON m.tenant_id = \(tenant) AND m.client_id = mi.client_id AND m.channel = mi.channel
                 AND m.scheduled_on = mi.scheduled_on
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = mi.client_id
                JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = mi.invoice_id
                WHERE mi.tenant_id = \(tenant) AND mi.scheduled_on = \(date)
                ORDER BY c.ref, i.number, mi.channel
                """).map(Reminder.init(row:)))
        }
    }

    /// The statement of the run that closes `tenant`'s day `asOf`: it stores the
    /// dunning of the next day, the messages to go out then (sql/functions
    /// worker_queue_dunning). One row, one column, how many messages were queued
    /// (none on a rerun: a day's dunning is decided once).
    static func queueStatement(tenant: UUID, asOf: CalendarDate, graceDays: Int) -> SQL {
        "SELECT worker_queue_dunning(\(tenant), \(asOf.adding(days: 1)), \(Int32(graceDays))::int) AS queued"
    }

    static func queuedCount(_ rows: PostgresRows) throws -> Int {
        guard let queued = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "worker_queue_dunning returned no count")
        }
        return queued
    }
}
