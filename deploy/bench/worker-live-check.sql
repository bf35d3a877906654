-- worker-live-check.sql: every tenant's stored snapshots for :as_of against the
-- live report functions of sql/0002 (report_ageing, report_ageing_by_client,
-- report_kpis, report_csat), which the admin CLI's live reports call.
-- Run by deploy/bench/worker.sh --live-check as the superuser, after the worker;
-- prints "<tenants> tenants, differing rows: ageing N, by client N, KPIs N, satisfaction N".
\set ON_ERROR_STOP on
SET jit = off;

CREATE FUNCTION pg_temp.live_check(d date)
    RETURNS TABLE (ageing bigint, client bigint, kpi bigint, csat bigint)
    LANGUAGE plpgsql
AS $check$
DECLARE
    t record;
    n bigint;
BEGIN
    ageing := 0; client := 0; kpi := 0; csat := 0;
    FOR t IN SELECT * FROM public.tenants WHERE status = 'active' ORDER BY slug LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        SELECT count(*) INTO n FROM (
            (SELECT currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor
             FROM public.ageing_snapshots WHERE tenant_id = t.id AND as_of = d
             EXCEPT ALL SELECT * FROM public.report_ageing(t.id, d, t.ageing_bucket_limits))
            UNION ALL
            (SELECT * FROM public.report_ageing(t.id, d, t.ageing_bucket_limits)
             EXCEPT ALL SELECT currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor
             FROM public.ageing_snapshots WHERE tenant_id = t.id AND as_of = d)) x;
        ageing := ageing + n;
        SELECT count(*) INTO n FROM (
            (SELECT client_id, currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor
             FROM public.client_ageing_snapshots WHERE tenant_id = t.id AND as_of = d
             EXCEPT ALL SELECT * FROM public.report_ageing_by_client(t.id, d, t.ageing_bucket_limits))
            UNION ALL
            (SELECT * FROM public.report_ageing_by_client(t.id, d, t.ageing_bucket_limits)
             EXCEPT ALL SELECT client_id, currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor
             FROM public.client_ageing_snapshots WHERE tenant_id = t.id AND as_of = d)) x;
        client := client + n;
        SELECT count(*) INTO n FROM (
            (SELECT currency, ar_minor, current_minor, credit_sales_minor, dso, countback_dso, best_possible_dso,
                    average_days_delinquent, cei, percent_current, bad_debt_ratio, promise_kept_rate, csat_percent,
                    csat_average, csat_count, cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor,
                    promises_due, promises_kept
             FROM public.kpi_snapshots WHERE tenant_id = t.id AND as_of = d
             EXCEPT ALL SELECT * FROM public.report_kpis(t.id, d, t.dso_period_days, t.cei_period_days,
                                                         t.promise_grace_days, t.time_zone))
            UNION ALL
            (SELECT * FROM public.report_kpis(t.id, d, t.dso_period_days, t.cei_period_days, t.promise_grace_days, t.time_zone)
             EXCEPT ALL
             SELECT currency, ar_minor, current_minor, credit_sales_minor, dso, countback_dso, best_possible_dso,
                    average_days_delinquent, cei, percent_current, bad_debt_ratio, promise_kept_rate, csat_percent,
                    csat_average, csat_count, cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor,
                    promises_due, promises_kept
             FROM public.kpi_snapshots WHERE tenant_id = t.id AND as_of = d)) x;
        kpi := kpi + n;
        SELECT count(*) INTO n FROM (
            (SELECT csat_percent, csat_average, csat_count FROM public.csat_snapshots WHERE tenant_id = t.id AND as_of = d
             EXCEPT ALL SELECT * FROM public.report_csat(t.id, d, t.dso_period_days, t.time_zone))
            UNION ALL
            (SELECT * FROM public.report_csat(t.id, d, t.dso_period_days, t.time_zone)
             EXCEPT ALL SELECT csat_percent, csat_average, csat_count FROM public.csat_snapshots
             WHERE tenant_id = t.id AND as_of = d)) x;
        csat := csat + n;
    END LOOP;
    RETURN NEXT;
END
$check$;

BEGIN;
SELECT (SELECT count(*) FROM tenants WHERE status = 'active') || ' tenants, differing rows: ageing ' || ageing
       || ', by client ' || client || ', KPIs ' || kpi || ', satisfaction ' || csat
FROM pg_temp.live_check(:'as_of');
COMMIT;
