-- worker-compare.sql: the worker's snapshots for :as_of against the tables of
-- worker-baseline.sql (schema bench_baseline), row for row on every stored column
-- but computed_at. Run by deploy/bench/worker.sh as the superuser; prints one line:
--   <ageing rows> <differing> <client rows> <differing> <KPI rows> <differing> <csat rows> <differing>
-- where "differing" counts the rows of either side that the other side lacks.
\set ON_ERROR_STOP on
WITH a AS (
    SELECT tenant_id, as_of, currency, bucket_limits, total_minor, current_minor, bucket_minor,
           disputed_minor, unapplied_credit_minor
    FROM ageing_snapshots WHERE as_of = :'as_of'
), b AS (
    SELECT tenant_id, as_of, currency, bucket_limits, total_minor, current_minor, bucket_minor,
           disputed_minor, unapplied_credit_minor
    FROM bench_baseline.ageing
), c AS (
    SELECT tenant_id, as_of, client_id, currency, bucket_limits, total_minor, current_minor, bucket_minor,
           disputed_minor, unapplied_credit_minor
    FROM client_ageing_snapshots WHERE as_of = :'as_of'
), d AS (
    SELECT tenant_id, as_of, client_id, currency, bucket_limits, total_minor, current_minor, bucket_minor,
           disputed_minor, unapplied_credit_minor
    FROM bench_baseline.client_ageing
), e AS (
    SELECT tenant_id, as_of, currency, dso_period_days, cei_period_days, ar_minor, current_minor,
           credit_sales_minor, dso, countback_dso, best_possible_dso, average_days_delinquent, cei,
           percent_current, bad_debt_ratio, promise_kept_rate, csat_percent, csat_average, csat_count,
           promise_grace_days, cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor,
           promises_due, promises_kept
    FROM kpi_snapshots WHERE as_of = :'as_of'
), f AS (
    SELECT tenant_id, as_of, currency, dso_period_days, cei_period_days, ar_minor, current_minor,
           credit_sales_minor, dso, countback_dso, best_possible_dso, average_days_delinquent, cei,
           percent_current, bad_debt_ratio, promise_kept_rate, csat_percent, csat_average, csat_count,
           promise_grace_days, cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor,
           promises_due, promises_kept
    FROM bench_baseline.kpis
), g AS (
    SELECT tenant_id, as_of, csat_percent, csat_average, csat_count FROM csat_snapshots WHERE as_of = :'as_of'
), h AS (
    SELECT tenant_id, as_of, csat_percent, csat_average, csat_count FROM bench_baseline.csat
)
SELECT (SELECT count(*) FROM a) || ' ' || (SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) x)
       || ' ' || (SELECT count(*) FROM c) || ' ' || (SELECT count(*) FROM ((TABLE c EXCEPT ALL TABLE d) UNION ALL (TABLE d EXCEPT ALL TABLE c)) x)
       || ' ' || (SELECT count(*) FROM e) || ' ' || (SELECT count(*) FROM ((TABLE e EXCEPT ALL TABLE f) UNION ALL (TABLE f EXCEPT ALL TABLE e)) x)
       || ' ' || (SELECT count(*) FROM g) || ' ' || (SELECT count(*) FROM ((TABLE g EXCEPT ALL TABLE h) UNION ALL (TABLE h EXCEPT ALL TABLE g)) x);
