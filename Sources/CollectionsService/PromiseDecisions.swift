import Postgres

/// Decides promises to pay once their date plus the tenant's grace has passed.
///
/// Kept when the client's payments in the promise's currency, received from the
/// day the promise was made (in the tenant's time zone) to its date plus grace and
/// not reversed by then, cover the promised amount; broken otherwise. The decision
/// is dated the day after the grace ended, whenever the worker gets to it.
enum PromiseDecisions {
    static func decide(_ tx: PostgresConnection, asOf: CalendarDate, graceDays: Int, timeZone: String) async throws -> Int {
        try await tx.execute("""
            INSERT INTO promise_outcomes (tenant_id, note_id, client_id, state, decided_on, paid_minor)
            SELECT n.tenant_id, n.id, n.client_id,
                   CASE WHEN paid.minor >= n.promise_amount_minor THEN 'kept' ELSE 'broken' END,
                   n.promise_date + \(Int32(graceDays)) + 1, paid.minor
            FROM contact_notes n
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(p.amount_minor), 0)::bigint AS minor FROM payments p
                WHERE p.tenant_id = n.tenant_id AND p.client_id = n.client_id
                  AND p.currency = n.promise_currency
                  AND p.received_on >= (n.noted_at AT TIME ZONE \(timeZone))::date
                  AND p.received_on <= n.promise_date + \(Int32(graceDays))
                  AND (p.reversed_on IS NULL OR p.reversed_on > n.promise_date + \(Int32(graceDays)))
            ) paid
            WHERE n.tenant_id = current_tenant_id() AND n.outcome = 'promise_to_pay'
              AND n.promise_date + \(Int32(graceDays)) < \(asOf)
            ON CONFLICT (tenant_id, note_id) DO NOTHING
            """)
    }
}
