-- report_kpis: The live KPI report per currency as of a date (DESIGN.md "KPI definitions"): report_day's KPI rows, the very computation the worker stores.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- The bucket limits given to report_day shape only its ageing rows (current AR,
-- all the KPIs use, is the balance not yet due, whatever the buckets).
CREATE OR REPLACE FUNCTION public.report_kpis(for_tenant uuid, as_of date, dso_days integer, cei_days integer, grace_days integer, zone text)
 RETURNS TABLE(currency character, ar_minor bigint, current_minor bigint, credit_sales_minor bigint, dso numeric, countback_dso numeric, best_possible_dso numeric, average_days_delinquent numeric, cei numeric, percent_current numeric, bad_debt_ratio numeric, promise_kept_rate numeric, csat_percent numeric, csat_average numeric, csat_count integer, cei_opening_ar_minor bigint, cei_credit_sales_minor bigint, write_offs_minor bigint, promises_due integer, promises_kept integer)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select d.currency, d.total_minor, d.current_minor, d.credit_sales_minor, d.dso, d.countback_dso,
           d.best_possible_dso, d.average_days_delinquent, d.cei, d.percent_current, d.bad_debt_ratio,
           d.promise_kept_rate, d.csat_percent, d.csat_average, d.csat_count, d.cei_opening_ar_minor,
           d.cei_credit_sales_minor, d.write_offs_minor, d.promises_due, d.promises_kept
    from public.report_day(for_tenant, as_of, '{30}', dso_days, cei_days, grace_days, zone) d
    where d.kind = 'kpi'
$function$;
