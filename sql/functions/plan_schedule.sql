-- plan_schedule: THE split of a payment plan: n instalments of total_minor every week, 2 weeks or month from start_on, equal parts in minor units and the remainder on the last.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Integers only: each instalment is total / n (truncated), the last adds total
-- mod n, so the parts sum to the total exactly and none is zero when total >= n
-- (PaymentPlans refuses a plan with fewer minor units than instalments). Monthly
-- dates keep the start's day of the month, clamped (calendar_months_after).
CREATE OR REPLACE FUNCTION public.plan_schedule(total_minor bigint, instalments integer, frequency text, start_on date)
 RETURNS TABLE(seq integer, due_on date, amount_minor bigint)
 LANGUAGE sql
 IMMUTABLE STRICT PARALLEL SAFE
AS $function$
    select k,
           case frequency
               when 'week' then start_on + 7 * (k - 1)
               when '2weeks' then start_on + 14 * (k - 1)
               when 'month' then public.calendar_months_after(start_on, k - 1)
           end,
           total_minor / instalments + case when k = instalments then total_minor % instalments else 0 end
    from generate_series(1, instalments) as k
$function$;
