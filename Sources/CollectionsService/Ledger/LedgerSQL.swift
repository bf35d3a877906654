import Foundation
import Postgres

/// The ledger's arithmetic, in SQL and set-based: balances are summed by the
/// database over the dated entries of `report_balance_entries`
/// (sql/functions/), the one definition of what a balance is made of, never by
/// loading entries into Swift.
///
/// Balance of an invoice at D = amount + its entries that count at D
/// (`report_counts`); 0 when voided on or before D or issued after D.
enum LedgerSQL {
    /// `SELECT` of `tenant`'s invoice columns (alias `i`, client `c`) plus the state
    /// columns as of `date`; append `WHERE`/`ORDER BY` to it. Wrapped in a subquery
    /// `s`, so filters can name `s.status`, `s.balance_minor`.
    static func states(_ tenant: UUID, asOf date: CalendarDate) -> SQL {
        """
        SELECT * FROM (
            SELECT \(unescaped: Invoice.columns), \(date) AS as_of, x.charges_minor, x.applied_minor,
                x.written_off_minor, x.disputed, b.balance_minor,
                CASE WHEN i.voided_on <= \(date) THEN 'void'
                     WHEN i.issued_on > \(date) THEN 'not_issued'
                     WHEN b.balance_minor <= 0 AND x.written_off_minor > 0 THEN 'written_off'
                     WHEN b.balance_minor <= 0 THEN 'paid'
                     WHEN x.disputed THEN 'disputed'
                     ELSE 'open' END AS status,
                CASE WHEN b.balance_minor > 0 THEN greatest(\(date) - i.due_on, 0) ELSE 0 END AS days_past_due
            FROM invoices i
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
            CROSS JOIN LATERAL (
                SELECT
                    coalesce(report_sum(e.amount_minor) FILTER (WHERE e.kind = 'charge' AND e.counts), 0) AS charges_minor,
                    coalesce(-report_sum(e.amount_minor) FILTER (WHERE e.kind = 'application' AND e.counts), 0)
                        AS applied_minor,
                    coalesce(-report_sum(e.amount_minor) FILTER (WHERE e.kind = 'write_off' AND e.counts), 0)
                        AS written_off_minor,
                    coalesce(bool_or(e.kind = 'dispute' AND e.counts), false) AS disputed
                FROM (SELECT b.kind, b.amount_minor, report_counts(b.on_date, b.ends_on, \(date)) AS counts
                      FROM report_balance_entries(\(tenant), \(date)) b WHERE b.invoice_id = i.id) e
            ) x
            CROSS JOIN LATERAL (
                SELECT CASE WHEN i.voided_on <= \(date) OR i.issued_on > \(date) THEN 0
                            ELSE i.amount_minor + x.charges_minor - x.applied_minor - x.written_off_minor
                       END AS balance_minor
            ) b
            WHERE i.tenant_id = \(tenant)
        ) s
        """
    }

    /// What can still be taken off each invoice (applied or written off) by an
    /// entry dated `date`, without its balance going below zero on that date or
    /// on any later one: the least of the balance at `date` and the balances after
    /// each later-dated entry. (A later write-off or application already recorded
    /// leaves less room than the balance at `date` suggests.)
    ///
    /// The balance over time is a running sum of signed entries: the amount at
    /// issue, charges, minus applications (plus them back at the payment's
    /// reversal), minus write-offs. Void invoices are refused before this is asked.
    /// Callers lock the invoice rows first (`FOR UPDATE`, by id), so no concurrent
    /// entry can slip in between this answer and the write that relies on it.
    static func available(
        _ tenant: UUID, invoices ids: [UUID], on date: CalendarDate, in tx: PostgresConnection
    ) async throws -> [UUID: Int64] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await tx.query("""
            WITH target AS (
                SELECT i.id, i.amount_minor, i.issued_on FROM invoices i WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(ids))
            ), dated AS (
                SELECT e.invoice_id, e.kind, e.amount_minor, e.on_date, e.ends_on
                FROM report_balance_entries(\(tenant), 'infinity') e
                WHERE e.invoice_id = ANY(\(ids)) AND e.kind <> 'dispute'
            ), entries AS (
                SELECT t.id AS invoice_id, t.issued_on AS on_date, t.amount_minor AS delta FROM target t
                UNION ALL
                -- Each entry from its date while it counts (an application reversed
                -- on the day it was applied never counted) ...
                SELECT d.invoice_id, d.on_date, d.amount_minor FROM dated d
                WHERE d.ends_on IS NULL OR d.on_date < d.ends_on
                UNION ALL
                -- ... and taken back on the day it ends (a payment's reversal).
                SELECT d.invoice_id, d.ends_on, -d.amount_minor FROM dated d
                WHERE d.on_date < d.ends_on
            ), daily AS (
                SELECT invoice_id, on_date, sum(delta) AS delta FROM entries GROUP BY invoice_id, on_date
            ), running AS (
                SELECT invoice_id, on_date, sum(delta) OVER (PARTITION BY invoice_id ORDER BY on_date) AS balance
                FROM daily
            )
            SELECT t.id, greatest(least(
                (SELECT coalesce(sum(d.delta), 0) FROM daily d WHERE d.invoice_id = t.id AND d.on_date <= \(date)),
                (SELECT min(r.balance) FROM running r WHERE r.invoice_id = t.id AND r.on_date > \(date))
            ), 0) AS available
            FROM target t
            """)
        var available: [UUID: Int64] = [:]
        for row in rows { available[try row.decode(UUID.self, at: 0)] = try row.decode(Int64.self, at: 1) }
        return available
    }

    /// Locks the invoices in one consistent order (by id), so two transactions that
    /// touch overlapping invoices queue instead of deadlocking, and neither sees a
    /// balance the other is about to change.
    static func lock(_ tenant: UUID, invoices ids: [UUID], in tx: PostgresConnection) async throws {
        guard !ids.isEmpty else { return }
        try await tx.execute("""
            SELECT i.id FROM invoices i WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(ids)) ORDER BY i.id FOR UPDATE
            """)
    }
}
