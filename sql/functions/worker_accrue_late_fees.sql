-- worker_accrue_late_fees: The day's late fees: flat once after due date plus grace, percent once per whole month past it, half-even; keyed by period.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.worker_accrue_late_fees(for_tenant uuid, as_of date)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    added int;
BEGIN
    -- every period charged on or before as_of; month n of a percentage fee is
    -- charged on grace end + n months, clamped to the month's last day (Jan 31 +
    -- 1 month = Feb 28): all n with such a date, so that a fee is accrued by the
    -- run of the day it is dated (whole months of age() alone would leave Feb
    -- 28's fee to Mar 1's run, and a rerun of Feb 28 after that would differ)
    WITH
    -- invoices on a payment plan, and when each plan was current (made_on to
    -- ended_on, exclusive: plan_instalments_at's, whose ends by as_of hold for
    -- every earlier day too): a current plan's invoices accrue no fees
    on_plan AS MATERIALIZED (
        SELECT pi.invoice_id, s.made_on, s.ended_on
        FROM (SELECT DISTINCT a.plan_id, a.made_on, a.ended_on
              FROM public.plan_instalments_at(for_tenant, as_of,
                       (SELECT t.promise_grace_days FROM public.tenants t WHERE t.id = for_tenant)) a) s
        JOIN public.plan_invoices pi ON pi.tenant_id = for_tenant AND pi.plan_id = s.plan_id
    ),
    periods AS (
        SELECT i.id AS invoice_id, i.amount_minor, i.voided_on, 'flat' AS period_key,
               i.due_on + i.late_fee_grace_days + 1 AS charged_on, i.late_fee_flat_minor AS flat_minor,
               NULL::int AS percent_bp
        FROM public.invoices i
        WHERE i.tenant_id = for_tenant AND i.late_fee_policy = 'flat'
          AND i.due_on + i.late_fee_grace_days < as_of
        UNION ALL
        SELECT i.id, i.amount_minor, i.voided_on, 'month-' || m.n, m.charged_on, NULL, i.late_fee_percent_bp
        FROM public.invoices i
        CROSS JOIN LATERAL (
            SELECT n, public.calendar_months_after(i.due_on + i.late_fee_grace_days, n) AS charged_on
            FROM generate_series(1, (
                SELECT (extract(year FROM a) * 12 + extract(month FROM a))::int + 1
                FROM age(as_of, i.due_on + i.late_fee_grace_days) a)) AS n
        ) m
        WHERE i.tenant_id = for_tenant AND i.late_fee_policy = 'percent'
          AND i.due_on + i.late_fee_grace_days < as_of AND m.charged_on <= as_of
    ),
    -- not charged yet (the insert would skip those), not void, written off or
    -- on a current payment plan on the charge date (disputes: see owed)
    candidates AS (
        SELECT p.* FROM periods p
        WHERE (p.voided_on IS NULL OR p.voided_on > p.charged_on)
          AND NOT EXISTS (SELECT 1 FROM public.invoice_charges c
                          WHERE c.tenant_id = for_tenant AND c.invoice_id = p.invoice_id
                            AND c.kind = 'late_fee' AND c.period_key = p.period_key)
          AND NOT EXISTS (SELECT 1 FROM public.write_offs w
                          WHERE w.tenant_id = for_tenant AND w.invoice_id = p.invoice_id
                            AND w.kind = 'write_off' AND w.written_off_on <= p.charged_on)
          AND NOT EXISTS (SELECT 1 FROM on_plan op
                          WHERE op.invoice_id = p.invoice_id AND op.made_on <= p.charged_on
                            AND (op.ended_on IS NULL OR op.ended_on > p.charged_on))
    ),
    -- the principal on the charge date: one join with the tenant's applications
    -- (a correlated subquery here was evaluated several times per period), less
    -- the credit notes dated by then (an upheld dispute's credit: not owed)
    principal AS (
        SELECT p.invoice_id, p.period_key, p.charged_on, p.flat_minor, p.percent_bp,
               p.amount_minor
               - coalesce(sum(a.amount_minor) FILTER (
                     WHERE a.applied_on <= p.charged_on
                       AND (a.reversed_on IS NULL OR a.reversed_on > p.charged_on)), 0)::bigint
               - coalesce((SELECT sum(w.amount_minor) FROM public.write_offs w
                           WHERE w.tenant_id = for_tenant AND w.invoice_id = p.invoice_id
                             AND w.kind = 'credit_note' AND w.written_off_on <= p.charged_on), 0)::bigint
               AS principal_minor
        FROM candidates p
        LEFT JOIN (
            SELECT pa.invoice_id, pa.amount_minor, pa.applied_on, r.reversed_on
            FROM public.payment_applications pa
            LEFT JOIN public.payments r
                   ON r.tenant_id = for_tenant AND r.id = pa.payment_id
                  AND r.reversed_on IS NOT NULL
            WHERE pa.tenant_id = for_tenant
        ) a ON a.invoice_id = p.invoice_id
        GROUP BY p.invoice_id, p.period_key, p.charged_on, p.flat_minor, p.percent_bp, p.amount_minor
    ),
    -- what of it is not disputed on the charge date: the disputes open then hold
    -- their amounts out (report_disputed_minor), so a fee is charged on the rest
    -- only, and none while all of it is disputed
    owed AS (
        SELECT p.invoice_id, p.period_key, p.charged_on, p.flat_minor, p.percent_bp,
               p.principal_minor - public.report_disputed_minor(p.principal_minor, (
                   SELECT public.report_sum(d.amount_minor) FROM public.disputes d
                   WHERE d.tenant_id = for_tenant AND d.invoice_id = p.invoice_id
                     AND public.report_counts(d.opened_on, d.resolved_on, p.charged_on))) AS principal_minor
        FROM principal p
    ),
    fees AS (
        SELECT o.invoice_id, o.period_key, o.charged_on,
               CASE WHEN o.flat_minor IS NOT NULL THEN o.flat_minor
                    -- principal x bp / 10000, rounded half to even
                    ELSE public.money_round_half_even(o.principal_minor::numeric * o.percent_bp, 10000)
               END AS fee_minor
        FROM owed o
        WHERE o.principal_minor > 0
    )
    INSERT INTO public.invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key, note)
    SELECT for_tenant, f.invoice_id, 'late_fee', f.fee_minor, f.charged_on, f.period_key,
           'accrued by the daily worker'
    FROM fees f WHERE f.fee_minor > 0
    ON CONFLICT (tenant_id, invoice_id, kind, period_key) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$function$;
