-- worker_break_bounced_promises: A kept promise whose payment was later reversed becomes broken, dated the reversal that left it short.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- What a promise has been paid is report_promise_paid's, as everywhere: asked as
-- of each day after the deadline on which a payment it counted was reversed, the
-- first day it falls short of the promise is the day the promise broke.
CREATE OR REPLACE FUNCTION public.worker_break_bounced_promises(for_tenant uuid, as_of date, grace_days integer, zone text)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    broken int;
BEGIN
    WITH reversals AS (
        -- Kept promises and each day, after their deadline and by as_of, on which a
        -- payment in their window was reversed (one reversed by the deadline was
        -- never counted).
        SELECT DISTINCT n.id AS note_id, n.client_id, n.promise_currency, n.promise_amount_minor AS promised,
               public.local_date(n.noted_at, zone) AS made_on, n.promise_date + grace_days AS deadline,
               r.reversed_on
        FROM public.payments r
        JOIN public.contact_notes n
          ON n.tenant_id = for_tenant AND n.client_id = r.client_id
         AND n.outcome = 'promise_to_pay' AND n.promise_currency = r.currency
         AND r.received_on >= public.local_date(n.noted_at, zone)
         AND r.received_on <= n.promise_date + grace_days
         AND r.reversed_on > n.promise_date + grace_days
        JOIN public.promise_outcomes o
          ON o.tenant_id = for_tenant AND o.note_id = n.id AND o.state = 'kept'
        WHERE r.tenant_id = for_tenant AND r.reversed_on <= as_of
    ),
    first_broken AS (
        SELECT DISTINCT ON (v.note_id) v.note_id, v.reversed_on, pp.paid_minor AS paid
        FROM reversals v
        CROSS JOIN LATERAL public.report_promise_paid(for_tenant, v.client_id, v.promise_currency, v.made_on,
                                                      v.deadline, v.reversed_on) pp
        WHERE pp.paid_minor < v.promised
        ORDER BY v.note_id, v.reversed_on
    )
    UPDATE public.promise_outcomes o
    SET state = 'broken', decided_on = f.reversed_on, paid_minor = f.paid
    FROM first_broken f
    WHERE o.tenant_id = for_tenant AND o.note_id = f.note_id AND o.state = 'kept';
    GET DIAGNOSTICS broken = ROW_COUNT;
    RETURN broken;
END
$function$;
