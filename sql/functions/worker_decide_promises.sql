-- worker_decide_promises: Decides the promises whose date plus grace ended before as_of: kept when the client's payments cover the amount.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.worker_decide_promises(for_tenant uuid, as_of date, grace_days integer, zone text)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    decided int;
BEGIN
    WITH pending AS MATERIALIZED (
        SELECT n.tenant_id, n.id, n.client_id, n.noted_at, n.promise_currency, n.promise_amount_minor,
               n.promise_date
        FROM public.contact_notes n
        WHERE n.tenant_id = for_tenant AND n.outcome = 'promise_to_pay'
          AND n.promise_date < as_of - grace_days
          AND NOT EXISTS (SELECT 1 FROM public.promise_outcomes o
                          WHERE o.tenant_id = for_tenant AND o.note_id = n.id)
    )
    INSERT INTO public.promise_outcomes (tenant_id, note_id, client_id, state, decided_on, paid_minor)
    SELECT n.tenant_id, n.id, n.client_id,
           CASE WHEN paid.minor >= n.promise_amount_minor THEN 'kept' ELSE 'broken' END,
           n.promise_date + grace_days + 1, paid.minor
    FROM pending n
    -- Paid as of the deadline: what a daily run the day after saw (a later
    -- reversal is worker_break_bounced_promises' to date).
    CROSS JOIN LATERAL (
        SELECT pp.paid_minor AS minor
        FROM public.report_promise_paid(for_tenant, n.client_id, n.promise_currency, public.local_date(n.noted_at, zone),
                                        n.promise_date + grace_days, n.promise_date + grace_days) pp
    ) paid
    ON CONFLICT (tenant_id, note_id) DO NOTHING;
    GET DIAGNOSTICS decided = ROW_COUNT;
    RETURN decided;
END
$function$;
