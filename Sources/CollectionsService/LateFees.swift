import Postgres

/// Accrues each invoice's late fees up to a day, as dated charges.
///
/// A fee belongs to a period the policy defines: a flat fee to the first day past
/// due date plus grace, a percentage fee to each whole month past it. The period is
/// the charge's key, so a fee is stored at most once however often a day is run.
/// Each fee is computed from facts dated on or before its own charge date (the
/// overdue principal: amount less payments and write-offs, fees not compounded),
/// so catching up ten days at once gives exactly the fees ten daily runs would.
/// No fee on an invoice that is void, disputed or (partly) written off on that date.
enum LateFees {
    /// Inserts the fees due on or before `asOf`; returns how many were added.
    static func accrue(_ tx: PostgresConnection, asOf: CalendarDate) async throws -> Int {
        try await tx.execute("""
            WITH periods AS (
                SELECT i.id AS invoice_id, i.amount_minor, i.voided_on, 'flat' AS period_key,
                       i.due_on + i.late_fee_grace_days + 1 AS charged_on,
                       i.late_fee_flat_minor AS flat_minor, NULL::int AS percent_bp
                FROM invoices i
                WHERE i.tenant_id = current_tenant_id() AND i.late_fee_policy = 'flat'
                  AND i.due_on + i.late_fee_grace_days + 1 <= \(asOf)
                UNION ALL
                SELECT i.id, i.amount_minor, i.voided_on, 'month-' || n,
                       ((i.due_on + i.late_fee_grace_days) + make_interval(months => n))::date,
                       NULL, i.late_fee_percent_bp
                FROM invoices i
                CROSS JOIN LATERAL generate_series(1, (
                    SELECT (extract(year FROM a) * 12 + extract(month FROM a))::int
                    FROM age(\(asOf)::date, i.due_on + i.late_fee_grace_days) a)) AS n
                WHERE i.tenant_id = current_tenant_id() AND i.late_fee_policy = 'percent'
                  AND i.due_on + i.late_fee_grace_days < \(asOf)
            ),
            owed AS (
                SELECT p.*,
                       p.amount_minor
                       - coalesce((SELECT sum(pa.amount_minor) FROM payment_applications pa
                                   JOIN payments pm ON pm.tenant_id = pa.tenant_id AND pm.id = pa.payment_id
                                   WHERE pa.tenant_id = current_tenant_id() AND pa.invoice_id = p.invoice_id
                                     AND pa.applied_on <= p.charged_on
                                     AND (pm.reversed_on IS NULL OR pm.reversed_on > p.charged_on))::bigint, 0)
                       AS principal_minor
                FROM periods p
                WHERE (p.voided_on IS NULL OR p.voided_on > p.charged_on)
                  AND NOT EXISTS (SELECT 1 FROM write_offs w
                                  WHERE w.tenant_id = current_tenant_id() AND w.invoice_id = p.invoice_id
                                    AND w.written_off_on <= p.charged_on)
                  AND NOT EXISTS (SELECT 1 FROM disputes d
                                  WHERE d.tenant_id = current_tenant_id() AND d.invoice_id = p.invoice_id
                                    AND d.opened_on <= p.charged_on
                                    AND (d.resolved_on IS NULL OR d.resolved_on > p.charged_on))
            ),
            fees AS (
                SELECT invoice_id, period_key, charged_on,
                       CASE WHEN flat_minor IS NOT NULL THEN flat_minor
                            -- principal x bp / 10000, rounded half to even, in bigint arithmetic
                            -- (sum() above is numeric: cast back, or '/' would not truncate)
                            ELSE (principal_minor * percent_bp) / 10000
                                 + CASE WHEN 2 * ((principal_minor * percent_bp) % 10000) > 10000 THEN 1
                                        WHEN 2 * ((principal_minor * percent_bp) % 10000) = 10000
                                             THEN ((principal_minor * percent_bp) / 10000) % 2
                                        ELSE 0 END
                       END AS fee_minor
                FROM owed
                WHERE principal_minor > 0
            )
            INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key, note)
            SELECT current_tenant_id(), invoice_id, 'late_fee', fee_minor, charged_on, period_key, 'accrued by the daily worker'
            FROM fees WHERE fee_minor > 0
            ON CONFLICT (tenant_id, invoice_id, kind, period_key) DO NOTHING
            """)
    }
}
