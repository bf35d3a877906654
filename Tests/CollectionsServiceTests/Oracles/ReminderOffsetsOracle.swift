import CollectionsService
import Foundation
import Postgres

/// A test oracle: the reminders the worker queued before dunning policies
/// (sql/0009's worker_queue_reminders, as its function file last read), as a
/// query: on the days `reminder_offsets` name from each due date, an issued,
/// unvoided invoice that still owes something, is not disputed, of an active
/// client who may be contacted, and, after the due date, whose client has no
/// promise to pay running. Rows: "day invoice offset balance".
enum ReminderOffsetsOracle {
    static func queued(tenant: UUID, on day: CalendarDate, graceDays: Int, in tx: PostgresConnection) async throws -> [String] {
        try await tx.query("""
            WITH due AS MATERIALIZED (
                SELECT i.id, i.number, i.client_id, i.currency, i.amount_minor, o.offset_days
                FROM tenants t
                CROSS JOIN LATERAL unnest(t.reminder_offsets) AS o(offset_days)
                JOIN invoices i
                  ON i.tenant_id = \(tenant)
                 AND i.due_on = \(day)::date - o.offset_days
                 AND i.issued_on <= \(day)
                 AND (i.voided_on IS NULL OR i.voided_on > \(day))
                WHERE t.id = \(tenant)
            )
            SELECT format('%s %s %s %s', \(day)::date, d.number, d.offset_days, b.balance_minor)
            FROM due d
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = d.client_id AND c.status = 'active' AND NOT c.do_not_contact
            CROSS JOIN LATERAL (
                SELECT d.amount_minor + coalesce(report_sum(e.amount_minor)
                           FILTER (WHERE report_counts(e.on_date, e.ends_on, \(day))), 0) AS balance_minor,
                       coalesce(bool_or(e.kind = 'dispute' AND report_counts(e.on_date, e.ends_on, \(day))), false) AS disputed
                FROM report_balance_entries(\(tenant), \(day)) e
                WHERE e.invoice_id = d.id
            ) b
            WHERE b.balance_minor > 0 AND NOT b.disputed
              AND (d.offset_days <= 0 OR NOT EXISTS (
                  SELECT FROM contact_notes n
                  JOIN tenants t ON t.id = \(tenant)
                  WHERE n.tenant_id = \(tenant) AND n.client_id = d.client_id
                    AND n.outcome = 'promise_to_pay'
                    AND local_date(n.noted_at, t.time_zone) <= \(day)
                    AND n.promise_date + \(Int32(graceDays))::int >= \(day)))
            """).map { try $0.decode(String.self, at: 0) }
    }
}
