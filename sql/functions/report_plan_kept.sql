-- report_plan_kept: The plan-kept rate per currency: of the payment plans that ended kept or defaulted in the DSO period, the share kept (a percentage; NULL when none ended).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A plan's end is plan_instalments_at's: kept_on or defaulted_on, whichever its
-- standing at as_of is (a plan kept and later defaulted by a reversed payment
-- counts once, defaulted). Cancelled plans are not counted.
CREATE OR REPLACE FUNCTION public.report_plan_kept(for_tenant uuid, as_of date, dso_days integer, grace_days integer)
 RETURNS TABLE(currency character(3), plans_ended integer, plans_kept integer, plan_kept_rate numeric)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select p.currency, count(*)::int, (count(*) filter (where p.plan_status = 'kept'))::int,
           public.report_ratio(100 * count(*) filter (where p.plan_status = 'kept'), count(*))
    from (
        select distinct a.plan_id, a.currency, a.plan_status,
               case a.plan_status when 'kept' then a.kept_on when 'defaulted' then a.defaulted_on end as ended_on
        from public.plan_instalments_at(for_tenant, as_of, grace_days) a
    ) p
    where p.ended_on > as_of - dso_days
    group by p.currency
$function$;
