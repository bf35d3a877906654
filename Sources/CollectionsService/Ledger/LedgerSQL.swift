package import Foundation
package import Postgres

/// Invoice states for reads and lists, in SQL and set-based: balances are summed
/// by the database over the dated entries of `report_balance_entries`
/// (sql/functions/), the one definition of what a balance is made of. (Posting
/// sums the same entries as the steps of `ledger_balance_steps`: `Posting/`.)
///
/// Balance of an invoice at D = amount + its entries that count at D
/// (`report_counts`); 0 when voided on or before D or issued after D.
package enum LedgerSQL {
    /// `SELECT` of `tenant`'s invoice columns (alias `i`, client `c`) plus the state
    /// columns as of `date`; append `WHERE`/`ORDER BY` to it. Wrapped in a subquery
    /// `s`, so filters can name `s.status`, `s.balance_minor`.
    package static func states(_ tenant: UUID, asOf date: CalendarDate) -> SQL {
        """
        SELECT * FROM (
            SELECT \(unescaped: Invoice.columns), \(date) AS as_of, x.charges_minor, x.applied_minor,
                x.written_off_minor, x.credited_minor, x.disputed, b.balance_minor,
                report_disputed_minor(b.balance_minor, x.held_minor) AS disputed_minor,
                CASE WHEN i.voided_on <= \(date) THEN 'void'
                     WHEN i.issued_on > \(date) THEN 'not_issued'
                     WHEN b.balance_minor <= 0 AND x.written_off_minor > 0 THEN 'written_off'
                     WHEN b.balance_minor <= 0 AND x.credited_minor > 0 THEN 'credited'
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
                    coalesce(-report_sum(e.amount_minor) FILTER (WHERE e.kind = 'credit_note' AND e.counts), 0)
                        AS credited_minor,
                    coalesce(bool_or(e.kind = 'dispute' AND e.counts), false) AS disputed,
                    report_sum(e.held_minor) FILTER (WHERE e.kind = 'dispute' AND e.counts) AS held_minor
                FROM (SELECT b.kind, b.amount_minor, b.held_minor, report_counts(b.on_date, b.ends_on, \(date)) AS counts
                      FROM report_balance_entries(\(tenant), \(date)) b WHERE b.invoice_id = i.id) e
            ) x
            CROSS JOIN LATERAL (
                SELECT CASE WHEN i.voided_on <= \(date) OR i.issued_on > \(date) THEN 0
                            ELSE i.amount_minor + x.charges_minor - x.applied_minor - x.written_off_minor
                                 - x.credited_minor
                       END AS balance_minor
            ) b
            WHERE i.tenant_id = \(tenant)
        ) s
        """
    }
}
