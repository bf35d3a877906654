-- worker_decide_plans: Stores the payment plan decisions plan_instalments_at makes by as_of (missed instalments, defaulted and kept plans) and tells lenders of each default once.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Each decision is dated the day it took effect, and a decision made is kept
-- (a rerun of an earlier day, which sees fewer, changes nothing), so daily runs,
-- a backfill and one late run store equal rows. A default is a plan.defaulted
-- event, its plan the fact key. Returns how many plans it defaulted or kept.
CREATE OR REPLACE FUNCTION public.worker_decide_plans(for_tenant uuid, as_of date, grace_days integer)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    decided int;
    events int;
BEGIN
    IF NOT EXISTS (SELECT FROM public.payment_plans p WHERE p.tenant_id = for_tenant AND p.made_on <= as_of) THEN
        RETURN 0;
    END IF;
    WITH states AS MATERIALIZED (
        SELECT * FROM public.plan_instalments_at(for_tenant, as_of, grace_days)
    ),
    missed AS (
        UPDATE public.plan_instalments i
        SET missed_on = s.missed_on
        FROM states s
        WHERE i.tenant_id = for_tenant AND i.plan_id = s.plan_id AND i.seq = s.seq
          AND s.missed_on IS NOT NULL AND i.missed_on IS NULL
        RETURNING 1
    ),
    ended AS (
        UPDATE public.payment_plans p
        SET defaulted_on = coalesce(p.defaulted_on, s.defaulted_on),
            kept_on = coalesce(p.kept_on, s.kept_on)
        FROM (SELECT DISTINCT st.plan_id, st.defaulted_on, st.kept_on FROM states st) s
        WHERE p.tenant_id = for_tenant AND p.id = s.plan_id
          AND ((p.defaulted_on IS NULL AND s.defaulted_on IS NOT NULL)
               OR (p.kept_on IS NULL AND s.kept_on IS NOT NULL))
        RETURNING p.id, p.client_id, p.currency, p.total_minor, p.defaulted_on,
                  (p.defaulted_on IS NOT NULL AND s.defaulted_on IS NOT NULL) AS defaults
    ),
    told AS (
        SELECT public.webhook_emit(for_tenant, 'plan.defaulted',
                   array_agg(jsonb_build_object(
                       'plan_id', e.id, 'client_ref', c.ref, 'currency', e.currency,
                       'total_minor', e.total_minor, 'defaulted_on', e.defaulted_on) ORDER BY e.id),
                   array_agg(e.id::text ORDER BY e.id)) AS events
        FROM ended e
        JOIN public.clients c ON c.tenant_id = for_tenant AND c.id = e.client_id
        WHERE e.defaults
        HAVING count(*) > 0
    )
    -- Every data-modifying part of a WITH runs; told is read so that it runs too.
    SELECT (SELECT count(*) FROM ended), (SELECT coalesce(sum(t.events), 0) FROM told t)
    INTO decided, events;
    RETURN decided;
END
$function$;
