-- worker-baseline.sql: the best single hand-written SQL we could write for what
-- the daily worker computes, for ALL tenants at once (deploy/bench/worker.sh
-- times it against `collections-worker run`).
--
--   psql -v as_of=2025-06-30 -f worker-baseline.sql
--
-- Run as a superuser (row-level security does not apply). Every active tenant's
-- ageing per currency, ageing per client and currency, KPIs per currency and
-- satisfaction as of :as_of, by the rules of DESIGN.md and sql/0002 (each
-- tenant's own bucket limits, DSO and CEI periods, promise grace and time
-- zone), written to tables in schema bench_baseline shaped like the worker's
-- snapshot tables, which worker.sh then compares row for row.
--
-- Set-based, no per-tenant loop, each result a CREATE TABLE ... AS so that
-- PostgreSQL can give it parallel workers (an INSERT ... SELECT never gets them in
-- PostgreSQL 15):
--   1. one pass over invoices and every change to their balances (charges,
--      applications, write-offs), summed per tenant, client, currency and ageing
--      bucket for both dates (as_of and as_of - CEI period): a balance is a sum,
--      so the invoices' rows and their changes' rows (each joined to its invoice
--      for its group) are summed together, with no sum per invoice first (five
--      million groups whose last step would run in one process). The few
--      disputed invoices' balances come from the indexes; credit sales per month
--      (countback) from one more pass over invoices, no join;
--   2. one pass over payments and applications for unapplied credit;
--   3. promises due in each tenant's DSO period, from their index;
--   4. satisfaction scores;
--   5. the four result tables, from those small tables.
-- Intermediate tables are unlogged (parallel workers cannot read temporary
-- tables); the result tables are ordinary tables, like the worker's.
-- The alternatives measured and left out: aggregating the changes per invoice
-- before joining them to the invoices (twice as slow: the final aggregate and the
-- join then run in one process), a merge join on the indexes' (tenant_id,
-- invoice_id) order (slower: the invoices' heap is read in random order), credit
-- per payment before per client (twice as slow), JIT (no gain either way).

\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- One big batch statement per table: let its hash tables stay in memory.
SET work_mem = '512MB';
SET max_parallel_workers_per_gather = 2;

DROP SCHEMA IF EXISTS bench_baseline CASCADE;
CREATE SCHEMA bench_baseline;

-- Per tenant: its settings and the dates they give.
CREATE UNLOGGED TABLE bench_baseline.t AS
SELECT t.id AS tenant_id, t.default_currency, t.time_zone, t.ageing_bucket_limits AS limits,
       t.dso_period_days AS p, t.cei_period_days AS c, t.promise_grace_days AS grace,
       :'as_of'::date AS d, :'as_of'::date - t.cei_period_days AS e
FROM tenants t
WHERE t.status = 'active';
ANALYZE bench_baseline.t;

------------------------------------------------------------------------------
-- 1. Invoices, in one pass: per tenant, client, currency and ageing bucket, the
--    balances at as_of and at as_of - C, the disputed balance, credit sales and
--    write-offs. A balance is the invoice's amount plus its changes, and sums are
--    linear: the invoices' own rows and their changes' rows (each joined to its
--    invoice for the group it falls in) are summed together, with no aggregate
--    per invoice first (5 million groups whose final step would run in one
--    process).
------------------------------------------------------------------------------

CREATE UNLOGGED TABLE bench_baseline.lines AS
WITH inv AS NOT MATERIALIZED (
    -- every invoice counted at as_of (open_now) or at as_of - C (open_then)
    SELECT i.tenant_id, i.id, i.client_id, i.currency, i.issued_on, i.amount_minor, t.d, t.e, t.p, t.c,
           (i.voided_on IS NULL OR i.voided_on > t.d) AS open_now,
           (i.issued_on <= t.e AND (i.voided_on IS NULL OR i.voided_on > t.e)) AS open_then,
           public.report_bucket(t.d - i.due_on, t.limits) AS bucket
    FROM invoices i
    JOIN bench_baseline.t t ON t.tenant_id = i.tenant_id
    WHERE i.issued_on <= :'as_of'::date
      AND (i.voided_on IS NULL OR i.voided_on > t.d OR (i.issued_on <= t.e AND i.voided_on > t.e))
),
changes AS (
    -- every change to a balance dated on or before as_of, signed, with its date
    -- and, for an application, the date its payment was reversed (if by as_of)
    SELECT ch.tenant_id, ch.invoice_id, ch.amount_minor AS amount, ch.charged_on AS dated,
           NULL::date AS reversed_on, false AS write_off
    FROM invoice_charges ch
    WHERE ch.charged_on <= :'as_of'::date
    UNION ALL
    SELECT pa.tenant_id, pa.invoice_id, -pa.amount_minor, pa.applied_on, r.reversed_on, false
    FROM payment_applications pa
    LEFT JOIN payments r ON r.tenant_id = pa.tenant_id AND r.id = pa.payment_id
                        AND r.reversed_on <= :'as_of'::date
    WHERE pa.applied_on <= :'as_of'::date
    UNION ALL
    SELECT wo.tenant_id, wo.invoice_id, -wo.amount_minor, wo.written_off_on, NULL, true
    FROM write_offs wo
    WHERE wo.written_off_on <= :'as_of'::date
),
contributions AS (
    SELECT v.tenant_id, v.client_id, v.currency, v.open_now, v.open_then, v.bucket,
           v.amount_minor AS delta, v.amount_minor AS opening_delta, NULL::bigint AS written_off,
           CASE WHEN v.issued_on > v.d - v.p THEN v.amount_minor END AS sales_p,
           CASE WHEN v.issued_on > v.d - v.c THEN v.amount_minor END AS sales_c
    FROM inv v
    UNION ALL
    -- a change counts at a date when dated by then, unless it is an application
    -- whose payment was reversed by then
    SELECT v.tenant_id, v.client_id, v.currency, v.open_now, v.open_then, v.bucket,
           CASE WHEN x.reversed_on IS NULL THEN x.amount END,
           CASE WHEN x.dated <= v.e AND (x.reversed_on IS NULL OR x.reversed_on > v.e) THEN x.amount END,
           CASE WHEN x.write_off AND x.dated > v.d - v.p THEN -x.amount END,
           NULL, NULL
    FROM changes x
    JOIN inv v ON v.tenant_id = x.tenant_id AND v.id = x.invoice_id
)
SELECT r.tenant_id, r.client_id, r.currency,
       CASE WHEN r.open_now THEN r.bucket END AS bucket,
       count(*) FILTER (WHERE r.open_now) AS n_now,
       public.report_sum(r.delta) FILTER (WHERE r.open_now) AS balance,
       public.report_sum(r.sales_p) FILTER (WHERE r.open_now) AS sales_p,
       public.report_sum(r.sales_c) FILTER (WHERE r.open_now) AS sales_c,
       public.report_sum(r.written_off) FILTER (WHERE r.open_now) AS written_off,
       count(*) FILTER (WHERE r.open_then) AS n_then,
       public.report_sum(r.opening_delta) FILTER (WHERE r.open_then) AS opening
FROM contributions r
GROUP BY 1, 2, 3, 4;

-- What the disputes open at as_of hold of the few invoices in dispute then (the
-- least of the balance and the disputed amounts), per tenant, client, currency
-- and bucket: from the invoices' indexes, not another pass.
CREATE UNLOGGED TABLE bench_baseline.disputed AS
SELECT i.tenant_id, i.client_id, i.currency, public.report_bucket(t.d - i.due_on, t.limits) AS bucket,
       public.report_sum(least(greatest(
           (i.amount_minor + coalesce(ch.delta, 0) + coalesce(pa.delta, 0) + coalesce(wo.delta, 0))::bigint, 0), x.held))
       AS disputed
FROM (
    SELECT ds.tenant_id, ds.invoice_id, sum(ds.amount_minor)::bigint AS held
    FROM disputes ds
    WHERE ds.opened_on <= :'as_of'::date AND (ds.resolved_on IS NULL OR ds.resolved_on > :'as_of'::date)
    GROUP BY 1, 2
) x
JOIN invoices i ON i.tenant_id = x.tenant_id AND i.id = x.invoice_id
JOIN bench_baseline.t t ON t.tenant_id = i.tenant_id
CROSS JOIN LATERAL (
    SELECT sum(c.amount_minor) AS delta FROM invoice_charges c
    WHERE c.tenant_id = i.tenant_id AND c.invoice_id = i.id AND c.charged_on <= t.d
) ch
CROSS JOIN LATERAL (
    SELECT -sum(a.amount_minor) AS delta FROM payment_applications a
    WHERE a.tenant_id = i.tenant_id AND a.invoice_id = i.id AND a.applied_on <= t.d
      AND NOT EXISTS (SELECT FROM payments r WHERE r.tenant_id = a.tenant_id AND r.id = a.payment_id
                                                AND r.reversed_on <= t.d)
) pa
CROSS JOIN LATERAL (
    SELECT -sum(w.amount_minor) AS delta FROM write_offs w
    WHERE w.tenant_id = i.tenant_id AND w.invoice_id = i.id AND w.written_off_on <= t.d
) wo
WHERE i.issued_on <= t.d AND (i.voided_on IS NULL OR i.voided_on > t.d)
GROUP BY 1, 2, 3, 4;

-- Credit sales per tenant, currency and month of issue (0 = as_of's month ..
-- 23), for the countback: invoices only, no balances.
CREATE UNLOGGED TABLE bench_baseline.monthly AS
SELECT s.tenant_id, s.currency, s.month, public.report_sum(s.amount_minor) AS sales
FROM (
    SELECT i.tenant_id, i.currency, i.amount_minor,
           (date_part('year', t.d::timestamp) * 12 + date_part('month', t.d::timestamp))::int
           - (date_part('year', i.issued_on::timestamp) * 12 + date_part('month', i.issued_on::timestamp))::int
           AS month
    FROM invoices i
    JOIN bench_baseline.t t ON t.tenant_id = i.tenant_id
    WHERE i.issued_on <= :'as_of'::date
      AND i.issued_on >= (date_trunc('month', :'as_of'::date::timestamp) - interval '23 months')::date
      AND (i.voided_on IS NULL OR i.voided_on > t.d)
) s
GROUP BY 1, 2, 3;

------------------------------------------------------------------------------
-- 2. Unapplied credit per tenant, client and currency: what the payments not
--    reversed brought, less what of them was applied (the same sums as per
--    payment, without 4 million groups).
------------------------------------------------------------------------------

CREATE UNLOGGED TABLE bench_baseline.credit AS
SELECT c.tenant_id, c.client_id, c.currency, public.report_sum(c.amount) AS unapplied
FROM (
    SELECT p.tenant_id, p.client_id, p.currency,
           CASE WHEN p.reversed_on <= :'as_of'::date THEN 0 ELSE p.amount_minor END AS amount
    FROM payments p
    JOIN bench_baseline.t t ON t.tenant_id = p.tenant_id
    WHERE p.received_on <= :'as_of'::date
    UNION ALL
    SELECT p.tenant_id, p.client_id, p.currency, -pa.amount_minor
    FROM payment_applications pa
    JOIN payments p ON p.tenant_id = pa.tenant_id AND p.id = pa.payment_id
    JOIN bench_baseline.t t ON t.tenant_id = p.tenant_id
    WHERE pa.applied_on <= :'as_of'::date
      AND p.received_on <= :'as_of'::date
      AND (p.reversed_on IS NULL OR p.reversed_on > :'as_of'::date)
) c
GROUP BY 1, 2, 3;

------------------------------------------------------------------------------
-- 3. Promises due in each tenant's DSO period, and whether they were kept.
------------------------------------------------------------------------------

CREATE UNLOGGED TABLE bench_baseline.promises AS
SELECT n.tenant_id, n.promise_currency AS currency, count(*) AS due,
       count(*) FILTER (WHERE coalesce(paid.amount, 0) >= n.promise_amount_minor) AS kept
FROM contact_notes n
JOIN bench_baseline.t t ON t.tenant_id = n.tenant_id
CROSS JOIN LATERAL (
    SELECT public.report_sum(pm.amount_minor) AS amount
    FROM payments pm
    WHERE pm.tenant_id = n.tenant_id
      AND pm.client_id = n.client_id
      AND pm.currency = n.promise_currency
      AND pm.received_on BETWEEN (n.noted_at AT TIME ZONE t.time_zone)::date AND n.promise_date + t.grace
      AND (pm.reversed_on IS NULL OR pm.reversed_on > t.d)
) paid
WHERE n.outcome = 'promise_to_pay'
  AND n.promise_date BETWEEN t.d - t.p + 1 - t.grace AND t.d - t.grace
  AND (n.noted_at AT TIME ZONE t.time_zone)::date <= t.d
GROUP BY 1, 2;

------------------------------------------------------------------------------
-- 4. Satisfaction over each tenant's DSO period (its time zone's dates).
------------------------------------------------------------------------------

CREATE TABLE bench_baseline.csat AS
SELECT t.tenant_id, t.d AS as_of,
       public.report_ratio(100 * count(n.tenant_id) FILTER (WHERE n.satisfaction >= 4), count(n.tenant_id)) AS csat_percent,
       public.report_ratio(sum(n.satisfaction), count(n.tenant_id)) AS csat_average,
       count(n.tenant_id)::int AS csat_count
FROM bench_baseline.t t
LEFT JOIN contact_notes n
       ON n.tenant_id = t.tenant_id
      AND n.satisfaction IS NOT NULL
      AND n.noted_at >= (t.d - t.p)::timestamp AT TIME ZONE t.time_zone
      AND n.noted_at < (t.d + 2)::timestamp AT TIME ZONE t.time_zone
      AND (n.noted_at AT TIME ZONE t.time_zone)::date BETWEEN t.d - t.p + 1 AND t.d
GROUP BY t.tenant_id, t.d;

------------------------------------------------------------------------------
-- 5. The results, from the small tables above.
------------------------------------------------------------------------------

-- Ageing per tenant and currency (report_ageing): a row for every currency with
-- an invoice or a payment, and for the default currency.
CREATE TABLE bench_baseline.ageing AS
WITH buckets AS (
    SELECT l.tenant_id, l.currency, l.bucket, public.report_sum(l.balance) AS amount,
           public.report_sum(l.disputed) AS disputed
    FROM (
        SELECT tenant_id, currency, bucket, balance, NULL::bigint AS disputed
        FROM bench_baseline.lines WHERE n_now > 0
        UNION ALL
        SELECT tenant_id, currency, bucket, NULL, disputed FROM bench_baseline.disputed
    ) l
    GROUP BY 1, 2, 3
),
totals AS (
    SELECT b.tenant_id, b.currency, public.report_sum(b.amount) AS total,
           public.report_sum(b.amount) FILTER (WHERE b.bucket = 0) AS current,
           public.report_sum(b.disputed) AS disputed,
           array_agg(b.bucket) AS buckets, array_agg(b.amount) AS amounts
    FROM buckets b
    GROUP BY 1, 2
),
credit AS (
    SELECT c.tenant_id, c.currency, public.report_sum(c.unapplied) AS unapplied
    FROM bench_baseline.credit c
    GROUP BY 1, 2
),
currencies AS (
    SELECT tenant_id, currency FROM totals
    UNION
    SELECT tenant_id, currency FROM credit
    UNION
    SELECT tenant_id, default_currency FROM bench_baseline.t WHERE default_currency IS NOT NULL
)
SELECT k.tenant_id, s.d AS as_of, k.currency, s.limits AS bucket_limits,
       coalesce(a.total, 0)::bigint AS total_minor,
       coalesce(a.current, 0)::bigint AS current_minor,
       public.report_bucket_array(a.buckets, a.amounts, cardinality(s.limits) + 1) AS bucket_minor,
       coalesce(a.disputed, 0)::bigint AS disputed_minor,
       coalesce(c.unapplied, 0)::bigint AS unapplied_credit_minor
FROM currencies k
JOIN bench_baseline.t s ON s.tenant_id = k.tenant_id
LEFT JOIN totals a ON a.tenant_id = k.tenant_id AND a.currency = k.currency
LEFT JOIN credit c ON c.tenant_id = k.tenant_id AND c.currency = k.currency;

-- Ageing per tenant, client and currency (report_ageing_by_client): rows with a
-- balance, a disputed amount or credit.
CREATE TABLE bench_baseline.client_ageing AS
WITH buckets AS (
    SELECT l.tenant_id, l.client_id, l.currency, l.bucket, public.report_sum(l.balance) AS amount,
           public.report_sum(l.disputed) AS disputed
    FROM (
        SELECT tenant_id, client_id, currency, bucket, balance, NULL::bigint AS disputed
        FROM bench_baseline.lines WHERE n_now > 0
        UNION ALL
        SELECT tenant_id, client_id, currency, bucket, NULL, disputed FROM bench_baseline.disputed
    ) l
    GROUP BY 1, 2, 3, 4
),
totals AS (
    SELECT b.tenant_id, b.client_id, b.currency, public.report_sum(b.amount) AS total,
           public.report_sum(b.amount) FILTER (WHERE b.bucket = 0) AS current,
           public.report_sum(b.disputed) AS disputed,
           array_agg(b.bucket) AS buckets, array_agg(b.amount) AS amounts
    FROM buckets b
    GROUP BY 1, 2, 3
)
SELECT coalesce(a.tenant_id, c.tenant_id) AS tenant_id, :'as_of'::date AS as_of,
       coalesce(a.client_id, c.client_id) AS client_id, coalesce(a.currency, c.currency) AS currency,
       s.limits AS bucket_limits,
       coalesce(a.total, 0)::bigint AS total_minor,
       coalesce(a.current, 0)::bigint AS current_minor,
       public.report_bucket_array(a.buckets, a.amounts, cardinality(s.limits) + 1) AS bucket_minor,
       coalesce(a.disputed, 0)::bigint AS disputed_minor,
       coalesce(c.unapplied, 0)::bigint AS unapplied_credit_minor
FROM totals a
FULL JOIN bench_baseline.credit c
       ON c.tenant_id = a.tenant_id AND c.client_id = a.client_id AND c.currency = a.currency
JOIN bench_baseline.t s ON s.tenant_id = coalesce(a.tenant_id, c.tenant_id)
WHERE coalesce(a.total, 0) <> 0 OR coalesce(a.disputed, 0) <> 0 OR coalesce(c.unapplied, 0) <> 0;

-- KPIs per tenant and currency (report_kpis).
CREATE TABLE bench_baseline.kpis AS
WITH terms AS (
    SELECT x.tenant_id, x.currency,
           coalesce(public.report_sum(x.ar), 0) AS ar,
           coalesce(public.report_sum(x.current), 0) AS current,
           coalesce(public.report_sum(x.opening), 0) AS opening,
           coalesce(public.report_sum(x.sales), 0) AS sales,
           coalesce(public.report_sum(x.cei_sales), 0) AS cei_sales,
           coalesce(public.report_sum(x.written_off), 0) AS written_off,
           coalesce(sum(x.due), 0) AS due,
           coalesce(sum(x.kept), 0) AS kept
    FROM (
        -- the ageing's currencies and AR
        SELECT a.tenant_id, a.currency, a.total_minor AS ar, a.current_minor AS current,
               NULL::bigint AS opening, NULL::bigint AS sales, NULL::bigint AS cei_sales,
               NULL::bigint AS written_off, NULL::bigint AS due, NULL::bigint AS kept
        FROM bench_baseline.ageing a
        UNION ALL
        -- AR(D-C), S(P), S(C), write-offs in the DSO period
        SELECT l.tenant_id, l.currency, NULL, NULL, l.opening, l.sales_p, l.sales_c, l.written_off, NULL, NULL
        FROM bench_baseline.lines l
        WHERE l.n_then > 0 OR l.sales_p IS NOT NULL OR l.written_off IS NOT NULL
        UNION ALL
        SELECT p.tenant_id, p.currency, NULL, NULL, NULL, NULL, NULL, NULL, p.due, p.kept
        FROM bench_baseline.promises p
    ) x
    GROUP BY 1, 2
),
months AS (
    SELECT m.k,
           CASE WHEN m.k = 0 THEN extract(day FROM :'as_of'::date)::int
                ELSE (m.first_day + interval '1 month')::date - m.first_day END AS days
    FROM (
        SELECT k, (date_trunc('month', :'as_of'::date::timestamp) - make_interval(months => k))::date AS first_day
        FROM generate_series(0, 23) AS k
    ) m
),
monthly AS (
    SELECT m.tenant_id, m.currency, m.month, m.sales
    FROM bench_baseline.monthly m
    WHERE m.month BETWEEN 0 AND 23
),
walk AS (
    SELECT w.*, w.remaining > 0 AND w.remaining >= w.sales AS walked
    FROM (
        SELECT t.tenant_id, t.currency, m.k, m.days, coalesce(ms.sales, 0) AS sales,
               t.ar - coalesce(public.report_sum(ms.sales) OVER (
                                   PARTITION BY t.tenant_id, t.currency ORDER BY m.k
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS remaining
        FROM terms t
        CROSS JOIN months m
        LEFT JOIN monthly ms ON ms.tenant_id = t.tenant_id AND ms.currency = t.currency AND ms.month = m.k
    ) w
),
countback AS (
    SELECT s.tenant_id, s.currency,
           s.walked_days + CASE WHEN NOT s.stopped OR s.stop_remaining = 0 THEN 0
                                ELSE public.report_ratio(s.stop_remaining::numeric * s.stop_days, s.stop_sales) END
           AS countback_dso
    FROM (
        SELECT w.tenant_id, w.currency,
               coalesce(sum(w.days) FILTER (WHERE w.walked), 0) AS walked_days,
               bool_or(NOT w.walked) AS stopped,
               (array_agg(w.remaining ORDER BY w.k) FILTER (WHERE NOT w.walked))[1] AS stop_remaining,
               (array_agg(w.sales ORDER BY w.k) FILTER (WHERE NOT w.walked))[1] AS stop_sales,
               (array_agg(w.days ORDER BY w.k) FILTER (WHERE NOT w.walked))[1] AS stop_days
        FROM walk w
        GROUP BY 1, 2
    ) s
)
SELECT t.tenant_id, s.d AS as_of, t.currency, s.p AS dso_period_days, s.c AS cei_period_days,
       t.ar AS ar_minor, t.current AS current_minor, t.sales AS credit_sales_minor,
       public.report_ratio(v.ar * s.p, v.sales) AS dso,
       cb.countback_dso,
       public.report_ratio(v.current * s.p, v.sales) AS best_possible_dso,
       public.report_ratio((v.ar - v.current) * s.p, v.sales) AS average_days_delinquent,
       public.report_ratio(100 * (v.opening + v.cei_sales - v.ar), v.opening + v.cei_sales - v.current) AS cei,
       public.report_ratio(100 * v.current, v.ar) AS percent_current,
       public.report_ratio(100 * v.written_off, v.sales) AS bad_debt_ratio,
       public.report_ratio(100 * t.kept, t.due) AS promise_kept_rate,
       cs.csat_percent, cs.csat_average, cs.csat_count,
       s.grace AS promise_grace_days,
       t.opening AS cei_opening_ar_minor, t.cei_sales AS cei_credit_sales_minor,
       t.written_off AS write_offs_minor, t.due::int AS promises_due, t.kept::int AS promises_kept
FROM terms t
JOIN bench_baseline.t s ON s.tenant_id = t.tenant_id
JOIN countback cb ON cb.tenant_id = t.tenant_id AND cb.currency = t.currency
JOIN bench_baseline.csat cs ON cs.tenant_id = t.tenant_id
CROSS JOIN LATERAL (
    SELECT t.ar::numeric AS ar, t.current::numeric AS current, t.sales::numeric AS sales,
           t.cei_sales::numeric AS cei_sales, t.opening::numeric AS opening,
           t.written_off::numeric AS written_off
) v;
