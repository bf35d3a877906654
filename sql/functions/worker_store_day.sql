-- worker_store_day: Stores report_day's rows as the day's snapshots (upserts keyed by tenant and as_of).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.worker_store_day(for_tenant uuid, as_of date, bucket_limits integer[], dso_days integer, cei_days integer, grace_days integer, zone text)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    stored int;
BEGIN
    DELETE FROM public.ageing_snapshots s
    WHERE s.tenant_id = for_tenant AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.client_ageing_snapshots s
    WHERE s.tenant_id = for_tenant AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.kpi_snapshots s
    WHERE s.tenant_id = for_tenant AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.csat_snapshots s
    WHERE s.tenant_id = for_tenant AND s.as_of = worker_store_day.as_of;

    WITH day AS MATERIALIZED (
        SELECT * FROM public.report_day(for_tenant, worker_store_day.as_of, worker_store_day.bucket_limits, dso_days,
                                        cei_days, grace_days, zone)
    ),
    ageing AS (
        INSERT INTO public.ageing_snapshots (tenant_id, as_of, currency, bucket_limits, total_minor,
                                             current_minor, bucket_minor, disputed_minor, unapplied_credit_minor)
        SELECT for_tenant, worker_store_day.as_of, d.currency, worker_store_day.bucket_limits,
               d.total_minor, d.current_minor, d.bucket_minor, d.disputed_minor, d.unapplied_credit_minor
        FROM day d WHERE d.kind = 'ageing'
        RETURNING 1
    ),
    clients AS (
        INSERT INTO public.client_ageing_snapshots (tenant_id, as_of, client_id, currency, bucket_limits,
                                                    total_minor, current_minor, bucket_minor, disputed_minor,
                                                    unapplied_credit_minor)
        SELECT for_tenant, worker_store_day.as_of, d.client_id, d.currency,
               worker_store_day.bucket_limits, d.total_minor, d.current_minor, d.bucket_minor,
               d.disputed_minor, d.unapplied_credit_minor
        FROM day d WHERE d.kind = 'client'
        RETURNING 1
    ),
    kpis AS (
        INSERT INTO public.kpi_snapshots (tenant_id, as_of, currency, dso_period_days, cei_period_days, ar_minor,
                                          current_minor, credit_sales_minor, dso, countback_dso,
                                          best_possible_dso, average_days_delinquent, cei, percent_current,
                                          bad_debt_ratio, promise_kept_rate, csat_percent, csat_average,
                                          csat_count, promise_grace_days, cei_opening_ar_minor,
                                          cei_credit_sales_minor, write_offs_minor, promises_due, promises_kept,
                                          plans_ended, plans_kept, plan_kept_rate)
        SELECT for_tenant, worker_store_day.as_of, d.currency, dso_days, cei_days,
               d.total_minor, d.current_minor, d.credit_sales_minor, d.dso, d.countback_dso,
               d.best_possible_dso, d.average_days_delinquent, d.cei, d.percent_current, d.bad_debt_ratio,
               d.promise_kept_rate, d.csat_percent, d.csat_average, d.csat_count, grace_days,
               d.cei_opening_ar_minor, d.cei_credit_sales_minor, d.write_offs_minor, d.promises_due,
               d.promises_kept, coalesce(pk.plans_ended, 0), coalesce(pk.plans_kept, 0), pk.plan_kept_rate
        FROM day d
        LEFT JOIN public.report_plan_kept(for_tenant, worker_store_day.as_of, dso_days, grace_days) pk
               ON pk.currency = d.currency
        WHERE d.kind = 'kpi'
        RETURNING 1
    ),
    csat AS (
        INSERT INTO public.csat_snapshots (tenant_id, as_of, csat_percent, csat_average, csat_count)
        SELECT for_tenant, worker_store_day.as_of, d.csat_percent, d.csat_average, d.csat_count
        FROM day d WHERE d.kind = 'csat'
        RETURNING 1
    )
    SELECT ((SELECT count(*) FROM ageing) + (SELECT count(*) FROM clients)
            + (SELECT count(*) FROM kpis) + (SELECT count(*) FROM csat))::int
    INTO stored;
    RETURN stored;
END
$function$;
