-- worker_break_bounced_promises: A kept promise whose payment was later reversed becomes broken, dated the reversal that left it short.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.worker_break_bounced_promises(for_tenant uuid, as_of date, grace_days integer, zone text)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    broken int;
BEGIN
    WITH touched AS (
        -- Kept promises that counted a payment reversed by as_of (after their
        -- deadline: one reversed before it was never counted).
        SELECT DISTINCT n.id AS note_id
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
    counted AS (
        -- Every payment such a promise counted when it was decided kept.
        SELECT t.note_id, n.promise_amount_minor AS promised, p.amount_minor, p.reversed_on
        FROM touched t
        JOIN public.contact_notes n ON n.tenant_id = for_tenant AND n.id = t.note_id
        JOIN public.payments p
          ON p.tenant_id = for_tenant AND p.client_id = n.client_id
         AND p.currency = n.promise_currency
         AND p.received_on >= public.local_date(n.noted_at, zone)
         AND p.received_on <= n.promise_date + grace_days
         AND (p.reversed_on IS NULL OR p.reversed_on > n.promise_date + grace_days)
    ),
    left_after AS (
        -- What was left after each reversal date, reversals of one day together.
        SELECT c.note_id, c.promised, c.reversed_on,
               sum(c.amount_minor) OVER (PARTITION BY c.note_id)
                 - sum(c.amount_minor) FILTER (WHERE c.reversed_on <= as_of)
                       OVER (PARTITION BY c.note_id ORDER BY c.reversed_on) AS paid
        FROM counted c
    ),
    first_broken AS (
        SELECT DISTINCT ON (l.note_id) l.note_id, l.reversed_on, l.paid
        FROM left_after l
        WHERE l.reversed_on <= as_of AND l.paid < l.promised
        ORDER BY l.note_id, l.reversed_on
    )
    UPDATE public.promise_outcomes o
    SET state = 'broken', decided_on = f.reversed_on, paid_minor = f.paid
    FROM first_broken f
    WHERE o.tenant_id = for_tenant AND o.note_id = f.note_id AND o.state = 'kept';
    GET DIAGNOSTICS broken = ROW_COUNT;
    RETURN broken;
END
$function$;
