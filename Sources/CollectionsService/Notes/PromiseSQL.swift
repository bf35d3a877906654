import Foundation
import Postgres

/// The promise rule in SQL, shared by `ContactNotes.promises` and `Worklist`.
enum PromiseSQL {
    /// Every promise to pay made on or before `asOf` (its note's date in the
    /// tenant's time zone), with its state as of `asOf`. Columns: note_id,
    /// client_id, invoice_id, noted_at, made_on, promise_amount_minor,
    /// promise_currency, promise_date, deadline (promise_date + the tenant's
    /// grace days), paid_minor (payments counted as of `asOf`), state (open,
    /// kept, broken). Of `tenant`, named in every table reference; reads the time
    /// zone and grace from the tenant's row.
    ///
    /// What is paid is `report_promise_paid` (sql/functions/) as of `asOf`, the
    /// rule the promise-kept rate and the worker's decisions use.
    static func states(_ tenant: UUID, asOf: CalendarDate) -> SQL {
        """
        SELECT n.id AS note_id, n.client_id, n.invoice_id, n.noted_at, w.made_on, n.promise_amount_minor,
               n.promise_currency, n.promise_date, w.deadline, paid.minor AS paid_minor,
               CASE WHEN paid.minor >= n.promise_amount_minor THEN 'kept'
                    WHEN \(asOf)::date > w.deadline THEN 'broken'
                    ELSE 'open' END AS state
        FROM contact_notes n
        JOIN tenants t ON t.id = \(tenant)
        CROSS JOIN LATERAL (
            SELECT local_date(n.noted_at, t.time_zone) AS made_on,
                   n.promise_date + t.promise_grace_days AS deadline
        ) w
        CROSS JOIN LATERAL (
            SELECT pp.paid_minor AS minor
            FROM report_promise_paid(\(tenant), n.client_id, n.promise_currency, w.made_on, w.deadline, \(asOf)::date) pp
        ) paid
        WHERE n.tenant_id = \(tenant) AND n.outcome = 'promise_to_pay'
          AND w.made_on <= \(asOf)::date
        """
    }
}
