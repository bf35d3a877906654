-- 0006_worker_indexes.sql: what makes the daily worker's tenant day cheap.
--
-- Measured on 1,000 tenants x 5,000 invoices (deploy/bench/worker.sh), one
-- tenant's day went from about 69 ms of statements to about 25 ms (medians):
--
-- * Covering indexes for the worker's own reads (late-fee invoices, promises to
--   decide), which otherwise fetch every invoice or note of the tenant from the
--   heap (PERFORMANCE-NOTES: one tenant's rows spread over thousands of pages).
-- * report_day: the worker used to run report_ageing, report_ageing_by_client and
--   report_kpis one after the other, i.e. four computations of every invoice's
--   balance (ageing, ageing by client, AR(D) and AR(D-C) in the KPIs) and two of
--   every payment's unapplied credit. report_day computes each once and derives
--   all of the day's figures from them, in one statement: the formulas of
--   sql/0002_reporting.sql (which the live reports keep using), the same rows.
--   The worker tests, `swift test --filter ReportCommandTests` and the
--   benchmark (which compares the stored rows with a hand-written all-tenant
--   query, and with --live-check with the 0002 functions) check that they agree.
-- * worker_accrue_late_fees, worker_decide_promises, worker_store_day: the day's
--   three writes as PL/pgSQL functions, so that each worker connection plans
--   them once (a generic plan, cached for the session) instead of once per
--   tenant: planning these statements cost about a quarter of their running
--   time. Late fees leave out the periods already charged, and promise
--   decisions the promises already decided, before doing any work on them (the
--   inserts skipped them anyway).
--
-- Tenancy as in 0002: invoker rights (no SECURITY DEFINER, no LEAKPROOF), every
-- table read also filtered on tenant_id = current_tenant_id(), row-level
-- security applying as for any statement of the caller; names schema-qualified
-- (a function body is resolved with the caller's search_path). report_day is a
-- single-SELECT SQL function, inlined into the calling statement like those of
-- 0002. A generic plan does not depend on the tenant: current_tenant_id() is
-- evaluated when the plan runs, in custom plans too.

------------------------------------------------------------------------------
-- Covering indexes for the worker's per-tenant statements (PERFORMANCE-NOTES:
-- one tenant's rows spread over thousands of pages).
------------------------------------------------------------------------------

-- Late fees read the few invoices with a late-fee policy (flat ones, then
-- percentage ones): without this, all of the tenant's invoices are fetched from
-- the heap (one page each) to find them.
CREATE INDEX invoices_late_fee_idx ON invoices (tenant_id)
    INCLUDE (id, amount_minor, due_on, voided_on, late_fee_policy, late_fee_flat_minor,
             late_fee_percent_bp, late_fee_grace_days)
    WHERE late_fee_policy <> 'none';

-- Promise decisions read promises by date, and need the note's id (for the
-- outcome's key): contact_notes_promise_idx without it sends every promise to
-- the heap. This one serves the KPIs' promise-kept rate as well.
CREATE INDEX contact_notes_promise_decision_idx ON contact_notes (tenant_id, promise_date)
    INCLUDE (id, client_id, noted_at, promise_currency, promise_amount_minor)
    WHERE outcome = 'promise_to_pay';
DROP INDEX contact_notes_promise_idx;

------------------------------------------------------------------------------
-- A whole day's figures in one statement.
------------------------------------------------------------------------------

-- One row per figure the worker stores for as_of, told apart by `kind`:
--   'ageing'  one per currency:            the row of report_ageing(as_of, bucket_limits)
--   'client'  one per client and currency: the row of report_ageing_by_client(as_of, bucket_limits)
--   'kpi'     one per currency:            the row of report_kpis(as_of, dso_days, cei_days, grace_days, zone)
--                                          (ar_minor is total_minor)
--   'csat'    exactly one:                 the row of report_csat(as_of, dso_days, zone)
-- Columns a kind does not have are NULL.
--
-- Each invoice's balance is computed once for as_of and once for as_of -
-- cei_days, in the same pass over its charges, applications, write-offs and
-- disputes; each payment's unapplied credit once. Everything else follows from
-- those as in 0002 (see the comments there for the rules).
CREATE FUNCTION report_day(as_of date, bucket_limits int[], dso_days int, cei_days int, grace_days int, zone text)
    RETURNS TABLE (
        kind                    text,
        client_id               uuid,
        currency                char(3),
        total_minor             bigint,
        current_minor           bigint,
        bucket_minor            bigint[],
        disputed_minor          bigint,
        unapplied_credit_minor  bigint,
        credit_sales_minor      bigint,
        dso                     numeric,
        countback_dso           numeric,
        best_possible_dso       numeric,
        average_days_delinquent numeric,
        cei                     numeric,
        percent_current         numeric,
        bad_debt_ratio          numeric,
        promise_kept_rate       numeric,
        csat_percent            numeric,
        csat_average            numeric,
        csat_count              int,
        cei_opening_ar_minor    bigint,
        cei_credit_sales_minor  bigint,
        write_offs_minor        bigint,
        promises_due            int,
        promises_kept           int
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    with
    -- Per invoice, every change to its balance dated on or before as_of (delta)
    -- and on or before as_of - cei_days (opening_delta), its write-offs dated in
    -- the DSO period, and whether a dispute is open at as_of: the facts of
    -- report_invoice_balances, for both dates in one pass. An application counts
    -- at a date unless its payment was reversed by then.
    facts as (
        select f.invoice_id, public.report_sum(f.delta) as delta,
               public.report_sum(f.opening_delta) as opening_delta,
               public.report_sum(f.written_off) as written_off,
               bool_or(f.disputed) as disputed
        from (
            select ch.invoice_id, ch.amount_minor as delta,
                   case when ch.charged_on <= as_of - cei_days then ch.amount_minor end as opening_delta,
                   null::bigint as written_off, false as disputed
            from public.invoice_charges ch
            where ch.tenant_id = public.current_tenant_id() and ch.charged_on <= as_of
            union all
            select pa.invoice_id,
                   case when r.reversed_on is null then -pa.amount_minor end,
                   case when pa.applied_on <= as_of - cei_days
                             and (r.reversed_on is null or r.reversed_on > as_of - cei_days)
                        then -pa.amount_minor end,
                   null, false
            from public.payment_applications pa
            left join public.payments r
                   on r.tenant_id = public.current_tenant_id() and r.id = pa.payment_id
                  and r.reversed_on <= as_of
            where pa.tenant_id = public.current_tenant_id() and pa.applied_on <= as_of
            union all
            select wo.invoice_id, -wo.amount_minor,
                   case when wo.written_off_on <= as_of - cei_days then -wo.amount_minor end,
                   case when wo.written_off_on > as_of - dso_days then wo.amount_minor end,
                   false
            from public.write_offs wo
            where wo.tenant_id = public.current_tenant_id() and wo.written_off_on <= as_of
            union all
            select ds.invoice_id, null, null, null, true
            from public.disputes ds
            where ds.tenant_id = public.current_tenant_id() and ds.opened_on <= as_of
              and (ds.resolved_on is null or ds.resolved_on > as_of)
        ) f
        group by f.invoice_id
    ),
    -- Every invoice counted at as_of (open_now: in report_invoice_balances(as_of))
    -- or at as_of - cei_days (open_then: in report_invoice_balances(as_of -
    -- cei_days)), with its balance at each.
    inv as (
        select i.client_id, i.currency, i.issued_on, i.due_on, i.amount_minor,
               (i.voided_on is null or i.voided_on > as_of) as open_now,
               (i.issued_on <= as_of - cei_days
                and (i.voided_on is null or i.voided_on > as_of - cei_days)) as open_then,
               (i.amount_minor + coalesce(x.delta, 0))::bigint as balance,
               (i.amount_minor + coalesce(x.opening_delta, 0))::bigint as opening_balance,
               x.written_off,
               coalesce(x.disputed, false) as disputed
        from public.invoices i
        left join facts x on x.invoice_id = i.id
        where i.tenant_id = public.current_tenant_id()
          and i.issued_on <= as_of
          and (i.voided_on is null or i.voided_on > as_of
               or (i.issued_on <= as_of - cei_days and i.voided_on > as_of - cei_days))
    ),
    -- Ageing lines at as_of per client, currency and bucket (report_ageing_by_client's lines).
    lines as (
        select b.client_id, b.currency,
               public.report_bucket(as_of - b.due_on, bucket_limits) as bucket,
               public.report_sum(b.balance) as amount,
               public.report_sum(b.balance) filter (where b.disputed) as disputed
        from inv b
        where b.open_now
        group by 1, 2, 3
    ),
    -- Per currency and day of issue, for the KPIs: credit sales (invoices not
    -- void at as_of), AR at as_of - cei_days, write-offs in the DSO period.
    days as (
        select b.currency, b.issued_on,
               public.report_sum(b.amount_minor) filter (where b.open_now) as sales,
               count(*) filter (where b.open_then) as then_invoices,
               public.report_sum(b.opening_balance) filter (where b.open_then) as opening,
               public.report_sum(b.written_off) filter (where b.open_now) as written_off
        from inv b
        group by 1, 2
    ),
    -- Unapplied credit at as_of per client and currency (report_payment_credit, summed).
    credit as (
        select p.client_id, p.currency,
               public.report_sum(case when p.reversed_on <= as_of then 0
                                      else (p.amount_minor - coalesce(a.applied, 0))::bigint end) as unapplied
        from public.payments p
        left join (
            select pa.payment_id, public.report_sum(pa.amount_minor) as applied
            from public.payment_applications pa
            where pa.tenant_id = public.current_tenant_id() and pa.applied_on <= as_of
            group by pa.payment_id
        ) a on a.payment_id = p.id
        where p.tenant_id = public.current_tenant_id() and p.received_on <= as_of
        group by 1, 2
    ),
    client_totals as (
        select l.client_id, l.currency, public.report_sum(l.amount) as total,
               public.report_sum(l.amount) filter (where l.bucket = 0) as current,
               public.report_sum(l.disputed) as disputed,
               array_agg(l.bucket) as buckets, array_agg(l.amount) as amounts
        from lines l
        group by 1, 2
    ),
    -- report_ageing's lines and totals: the client lines summed per currency and bucket.
    currency_lines as (
        select l.currency, l.bucket, public.report_sum(l.amount) as amount,
               public.report_sum(l.disputed) as disputed
        from lines l
        group by 1, 2
    ),
    currency_totals as (
        select l.currency, public.report_sum(l.amount) as total,
               public.report_sum(l.amount) filter (where l.bucket = 0) as current,
               public.report_sum(l.disputed) as disputed,
               array_agg(l.bucket) as buckets, array_agg(l.amount) as amounts
        from currency_lines l
        group by 1
    ),
    currency_credit as (
        select c.currency, public.report_sum(c.unapplied) as unapplied
        from credit c
        group by 1
    ),
    default_currency as (
        select t.default_currency as currency
        from public.tenants t
        where t.id = public.current_tenant_id() and t.default_currency is not null
    ),
    ageing_currencies as (
        select t.currency from currency_totals t
        union
        select c.currency from currency_credit c
        union
        select d.currency from default_currency d
    ),
    promises as (
        select n.promise_currency as currency, n.client_id, n.promise_amount_minor as amount,
               (n.noted_at at time zone zone)::date as made_on,
               n.promise_date + grace_days as deadline
        from public.contact_notes n
        where n.tenant_id = public.current_tenant_id()
          and n.outcome = 'promise_to_pay'
          and n.promise_date between as_of - dso_days + 1 - grace_days and as_of - grace_days
          and (n.noted_at at time zone zone)::date <= as_of
    ),
    -- report_kpis' terms per currency, from the figures above.
    terms as (
        select t.currency,
               coalesce(public.report_sum(t.ar), 0) as ar,
               coalesce(public.report_sum(t.current), 0) as current,
               coalesce(public.report_sum(t.opening), 0) as opening,
               coalesce(public.report_sum(t.sales), 0) as sales,
               coalesce(public.report_sum(t.cei_sales), 0) as cei_sales,
               coalesce(public.report_sum(t.written_off), 0) as written_off,
               coalesce(sum(t.due), 0) as due,
               coalesce(sum(t.kept), 0) as kept
        from (
            -- AR(D) and current AR(D); the currencies of the ageing
            select a.currency, ct.total as ar, ct.current as current,
                   null::bigint as opening, null::bigint as sales, null::bigint as cei_sales,
                   null::bigint as written_off, null::int as due, null::int as kept
            from ageing_currencies a
            left join currency_totals ct on ct.currency = a.currency
            union all
            -- AR(D-C), S(P), S(C) and write-offs in the DSO period
            select d.currency, null, null, d.opening,
                   case when d.issued_on > as_of - dso_days then d.sales end,
                   case when d.issued_on > as_of - cei_days then d.sales end,
                   d.written_off, null, null
            from days d
            where d.then_invoices > 0 or d.sales is not null
            union all
            -- promises due in the DSO period, kept or not
            select p.currency, null, null, null, null, null, null, 1,
                   case when coalesce(paid.amount, 0) >= p.amount then 1 else 0 end
            from promises p
            cross join lateral (
                select public.report_sum(pm.amount_minor) as amount
                from public.payments pm
                where pm.tenant_id = public.current_tenant_id()
                  and pm.client_id = p.client_id
                  and pm.currency = p.currency
                  and pm.received_on between p.made_on and p.deadline
                  and (pm.reversed_on is null or pm.reversed_on > as_of)
            ) paid
        ) t
        group by t.currency
    ),
    months as (
        select m.k,
               case when m.k = 0 then extract(day from as_of)::int
                    else (m.first_day + interval '1 month')::date - m.first_day end as days
        from (
            select k, (date_trunc('month', as_of::timestamp) - make_interval(months => k))::date as first_day
            from generate_series(0, 23) as k
        ) m
    ),
    monthly as (
        select s.currency, s.month, public.report_sum(s.sales) as sales
        from (
            select d.currency, d.sales,
                   (date_part('year', as_of::timestamp) * 12 + date_part('month', as_of::timestamp))::int
                   - (date_part('year', d.issued_on::timestamp) * 12
                      + date_part('month', d.issued_on::timestamp))::int as month
            from days d
            where d.sales is not null
              and d.issued_on >= (date_trunc('month', as_of::timestamp) - interval '23 months')::date
        ) s
        where s.month between 0 and 23
        group by 1, 2
    ),
    walk as (
        select w.*, w.remaining > 0 and w.remaining >= w.sales as walked
        from (
            select t.currency, m.k, m.days, coalesce(ms.sales, 0) as sales,
                   t.ar - coalesce(public.report_sum(ms.sales) over (
                                       partition by t.currency order by m.k
                                       rows between unbounded preceding and 1 preceding), 0)
                   as remaining
            from terms t
            cross join months m
            left join monthly ms on ms.currency = t.currency and ms.month = m.k
        ) w
    ),
    countback as (
        select s.currency,
               s.walked_days + case when not s.stopped or s.stop_remaining = 0 then 0
                                    else public.report_ratio(s.stop_remaining::numeric * s.stop_days,
                                                             s.stop_sales) end
               as countback_dso
        from (
            select w.currency,
                   coalesce(sum(w.days) filter (where w.walked), 0) as walked_days,
                   bool_or(not w.walked) as stopped,
                   (array_agg(w.remaining order by w.k) filter (where not w.walked))[1] as stop_remaining,
                   (array_agg(w.sales order by w.k) filter (where not w.walked))[1] as stop_sales,
                   (array_agg(w.days order by w.k) filter (where not w.walked))[1] as stop_days
            from walk w
            group by 1
        ) s
    ),
    csat as (
        select * from public.report_csat(as_of, dso_days, zone)
    )
    -- report_ageing
    select 'ageing'::text, null::uuid, k.currency,
           coalesce(t.total, 0)::bigint,
           coalesce(t.current, 0)::bigint,
           public.report_bucket_array(t.buckets, t.amounts, cardinality(bucket_limits) + 1),
           coalesce(t.disputed, 0)::bigint,
           coalesce(c.unapplied, 0)::bigint,
           null::bigint, null::numeric, null::numeric, null::numeric, null::numeric, null::numeric,
           null::numeric, null::numeric, null::numeric, null::numeric, null::numeric, null::int,
           null::bigint, null::bigint, null::bigint, null::int, null::int
    from ageing_currencies k
    left join currency_totals t on t.currency = k.currency
    left join currency_credit c on c.currency = k.currency
    union all
    -- report_ageing_by_client
    select 'client', coalesce(t.client_id, c.client_id), coalesce(t.currency, c.currency),
           coalesce(t.total, 0)::bigint,
           coalesce(t.current, 0)::bigint,
           public.report_bucket_array(t.buckets, t.amounts, cardinality(bucket_limits) + 1),
           coalesce(t.disputed, 0)::bigint,
           coalesce(c.unapplied, 0)::bigint,
           null, null, null, null, null, null, null, null, null, null, null, null,
           null, null, null, null, null
    from client_totals t
    full join credit c on c.client_id = t.client_id and c.currency = t.currency
    where coalesce(t.total, 0) <> 0 or coalesce(t.disputed, 0) <> 0 or coalesce(c.unapplied, 0) <> 0
    union all
    -- report_kpis
    select 'kpi', null, t.currency,
           t.ar,
           t.current,
           null, null, null,
           t.sales,
           public.report_ratio(v.ar * dso_days, v.sales),
           cb.countback_dso,
           public.report_ratio(v.current * dso_days, v.sales),
           public.report_ratio((v.ar - v.current) * dso_days, v.sales),
           public.report_ratio(100 * (v.opening + v.cei_sales - v.ar), v.opening + v.cei_sales - v.current),
           public.report_ratio(100 * v.current, v.ar),
           public.report_ratio(100 * v.written_off, v.sales),
           public.report_ratio(100 * t.kept, t.due),
           cs.csat_percent,
           cs.csat_average,
           cs.csat_count,
           t.opening,
           t.cei_sales,
           t.written_off,
           t.due::int,
           t.kept::int
    from terms t
    join countback cb on cb.currency = t.currency
    cross join csat cs
    cross join lateral (
        select t.ar::numeric as ar, t.current::numeric as current, t.sales::numeric as sales,
               t.cei_sales::numeric as cei_sales, t.opening::numeric as opening,
               t.written_off::numeric as written_off
    ) v
    union all
    -- report_csat
    select 'csat', null, null, null, null, null, null, null, null, null, null, null, null, null,
           null, null, null, cs.csat_percent, cs.csat_average, cs.csat_count,
           null, null, null, null, null
    from csat cs
$$;

------------------------------------------------------------------------------
-- The worker's writes for one tenant's day (TenantDay), in the transaction that
-- has the tenant set. Plans are cached per connection: generic, not re-planned
-- per call (plan_cache_mode = force_generic_plan for the function's statements).
------------------------------------------------------------------------------

-- Accrues each invoice's late fees dated on or before as_of, as dated charges;
-- returns how many were added. A fee belongs to a period its policy defines: a flat
-- fee to the first day past due date plus grace, a percentage fee to each whole
-- month past it (dated grace end + n months, clamped to the month's end). The
-- period is the charge's key, so a fee is stored at most once however often a day
-- is run. Each fee is computed from facts dated on or before its own charge date
-- (the overdue principal: amount less applications of payments not reversed by
-- then; fees not compounded), so catching up ten days at once gives exactly the
-- fees ten daily runs would. No fee on an invoice that is void, disputed or
-- (partly) written off on that date. Rounding half to even, in bigint arithmetic.
CREATE FUNCTION worker_accrue_late_fees(as_of date) RETURNS int
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    added int;
BEGIN
    -- every period charged on or before as_of; month n of a percentage fee is
    -- charged on grace end + n months, clamped to the month's last day (Jan 31 +
    -- 1 month = Feb 28): all n with such a date, so that a fee is accrued by the
    -- run of the day it is dated (whole months of age() alone would leave Feb
    -- 28's fee to Mar 1's run, and a rerun of Feb 28 after that would differ)
    WITH periods AS (
        SELECT i.id AS invoice_id, i.amount_minor, i.voided_on, 'flat' AS period_key,
               i.due_on + i.late_fee_grace_days + 1 AS charged_on, i.late_fee_flat_minor AS flat_minor,
               NULL::int AS percent_bp
        FROM public.invoices i
        WHERE i.tenant_id = public.current_tenant_id() AND i.late_fee_policy = 'flat'
          AND i.due_on + i.late_fee_grace_days < as_of
        UNION ALL
        SELECT i.id, i.amount_minor, i.voided_on, 'month-' || m.n, m.charged_on, NULL, i.late_fee_percent_bp
        FROM public.invoices i
        CROSS JOIN LATERAL (
            SELECT n, (i.due_on + i.late_fee_grace_days + make_interval(months => n))::date AS charged_on
            FROM generate_series(1, (
                SELECT (extract(year FROM a) * 12 + extract(month FROM a))::int + 1
                FROM age(as_of, i.due_on + i.late_fee_grace_days) a)) AS n
        ) m
        WHERE i.tenant_id = public.current_tenant_id() AND i.late_fee_policy = 'percent'
          AND i.due_on + i.late_fee_grace_days < as_of AND m.charged_on <= as_of
    ),
    -- not charged yet (the insert would skip those), not void, written off or
    -- disputed on the charge date
    candidates AS (
        SELECT p.* FROM periods p
        WHERE (p.voided_on IS NULL OR p.voided_on > p.charged_on)
          AND NOT EXISTS (SELECT 1 FROM public.invoice_charges c
                          WHERE c.tenant_id = public.current_tenant_id() AND c.invoice_id = p.invoice_id
                            AND c.kind = 'late_fee' AND c.period_key = p.period_key)
          AND NOT EXISTS (SELECT 1 FROM public.write_offs w
                          WHERE w.tenant_id = public.current_tenant_id() AND w.invoice_id = p.invoice_id
                            AND w.written_off_on <= p.charged_on)
          AND NOT EXISTS (SELECT 1 FROM public.disputes d
                          WHERE d.tenant_id = public.current_tenant_id() AND d.invoice_id = p.invoice_id
                            AND d.opened_on <= p.charged_on
                            AND (d.resolved_on IS NULL OR d.resolved_on > p.charged_on))
    ),
    -- the principal on the charge date: one join with the tenant's applications
    -- (a correlated subquery here was evaluated several times per period)
    owed AS (
        SELECT p.invoice_id, p.period_key, p.charged_on, p.flat_minor, p.percent_bp,
               p.amount_minor
               - coalesce(sum(a.amount_minor) FILTER (
                     WHERE a.applied_on <= p.charged_on
                       AND (a.reversed_on IS NULL OR a.reversed_on > p.charged_on)), 0)::bigint
               AS principal_minor
        FROM candidates p
        LEFT JOIN (
            SELECT pa.invoice_id, pa.amount_minor, pa.applied_on, r.reversed_on
            FROM public.payment_applications pa
            LEFT JOIN public.payments r
                   ON r.tenant_id = public.current_tenant_id() AND r.id = pa.payment_id
                  AND r.reversed_on IS NOT NULL
            WHERE pa.tenant_id = public.current_tenant_id()
        ) a ON a.invoice_id = p.invoice_id
        GROUP BY p.invoice_id, p.period_key, p.charged_on, p.flat_minor, p.percent_bp, p.amount_minor
    ),
    fees AS (
        SELECT o.invoice_id, o.period_key, o.charged_on,
               CASE WHEN o.flat_minor IS NOT NULL THEN o.flat_minor
                    -- principal x bp / 10000, rounded half to even
                    ELSE (o.principal_minor * o.percent_bp) / 10000
                         + CASE WHEN 2 * ((o.principal_minor * o.percent_bp) % 10000) > 10000 THEN 1
                                WHEN 2 * ((o.principal_minor * o.percent_bp) % 10000) = 10000
                                     THEN ((o.principal_minor * o.percent_bp) / 10000) % 2
                                ELSE 0 END
               END AS fee_minor
        FROM owed o
        WHERE o.principal_minor > 0
    )
    INSERT INTO public.invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key, note)
    SELECT public.current_tenant_id(), f.invoice_id, 'late_fee', f.fee_minor, f.charged_on, f.period_key,
           'accrued by the daily worker'
    FROM fees f WHERE f.fee_minor > 0
    ON CONFLICT (tenant_id, invoice_id, kind, period_key) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$fn$;

-- Decides the promises to pay whose date plus grace_days ended before as_of;
-- returns how many were decided. Kept when the client's payments in the
-- promise's currency, received from the day the promise was made (in the
-- tenant's time zone `zone`) to its date plus grace and not reversed by then,
-- cover the promised amount; broken otherwise. Dated the day after the grace
-- ended, whenever the worker gets to it. Promises already decided are left out
-- before their payments are summed.
CREATE FUNCTION worker_decide_promises(as_of date, grace_days int, zone text) RETURNS int
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    decided int;
BEGIN
    WITH pending AS MATERIALIZED (
        SELECT n.tenant_id, n.id, n.client_id, n.noted_at, n.promise_currency, n.promise_amount_minor,
               n.promise_date
        FROM public.contact_notes n
        WHERE n.tenant_id = public.current_tenant_id() AND n.outcome = 'promise_to_pay'
          AND n.promise_date < as_of - grace_days
          AND NOT EXISTS (SELECT 1 FROM public.promise_outcomes o
                          WHERE o.tenant_id = public.current_tenant_id() AND o.note_id = n.id)
    )
    INSERT INTO public.promise_outcomes (tenant_id, note_id, client_id, state, decided_on, paid_minor)
    SELECT n.tenant_id, n.id, n.client_id,
           CASE WHEN paid.minor >= n.promise_amount_minor THEN 'kept' ELSE 'broken' END,
           n.promise_date + grace_days + 1, paid.minor
    FROM pending n
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(p.amount_minor), 0)::bigint AS minor
        FROM public.payments p
        WHERE p.tenant_id = n.tenant_id AND p.client_id = n.client_id
          AND p.currency = n.promise_currency
          AND p.received_on >= (n.noted_at AT TIME ZONE zone)::date
          AND p.received_on <= n.promise_date + grace_days
          AND (p.reversed_on IS NULL OR p.reversed_on > n.promise_date + grace_days)
    ) paid
    ON CONFLICT (tenant_id, note_id) DO NOTHING;
    GET DIAGNOSTICS decided = ROW_COUNT;
    RETURN decided;
END
$fn$;

-- Replaces the day's ageing (per currency and per client), KPI and satisfaction
-- snapshots with report_day's rows, stored with the settings they were computed
-- with; returns how many rows were stored. A currency or client that no longer
-- has rows for the day must not keep an old row: the day's rows are deleted
-- first, so a rerun leaves equal rows.
CREATE FUNCTION worker_store_day(as_of date, bucket_limits int[], dso_days int, cei_days int,
                                 grace_days int, zone text) RETURNS int
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    stored int;
BEGIN
    DELETE FROM public.ageing_snapshots s
    WHERE s.tenant_id = public.current_tenant_id() AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.client_ageing_snapshots s
    WHERE s.tenant_id = public.current_tenant_id() AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.kpi_snapshots s
    WHERE s.tenant_id = public.current_tenant_id() AND s.as_of = worker_store_day.as_of;
    DELETE FROM public.csat_snapshots s
    WHERE s.tenant_id = public.current_tenant_id() AND s.as_of = worker_store_day.as_of;

    WITH day AS MATERIALIZED (
        SELECT * FROM public.report_day(worker_store_day.as_of, worker_store_day.bucket_limits, dso_days,
                                        cei_days, grace_days, zone)
    ),
    ageing AS (
        INSERT INTO public.ageing_snapshots (tenant_id, as_of, currency, bucket_limits, total_minor,
                                             current_minor, bucket_minor, disputed_minor, unapplied_credit_minor)
        SELECT public.current_tenant_id(), worker_store_day.as_of, d.currency, worker_store_day.bucket_limits,
               d.total_minor, d.current_minor, d.bucket_minor, d.disputed_minor, d.unapplied_credit_minor
        FROM day d WHERE d.kind = 'ageing'
        RETURNING 1
    ),
    clients AS (
        INSERT INTO public.client_ageing_snapshots (tenant_id, as_of, client_id, currency, bucket_limits,
                                                    total_minor, current_minor, bucket_minor, disputed_minor,
                                                    unapplied_credit_minor)
        SELECT public.current_tenant_id(), worker_store_day.as_of, d.client_id, d.currency,
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
                                          cei_credit_sales_minor, write_offs_minor, promises_due, promises_kept)
        SELECT public.current_tenant_id(), worker_store_day.as_of, d.currency, dso_days, cei_days,
               d.total_minor, d.current_minor, d.credit_sales_minor, d.dso, d.countback_dso,
               d.best_possible_dso, d.average_days_delinquent, d.cei, d.percent_current, d.bad_debt_ratio,
               d.promise_kept_rate, d.csat_percent, d.csat_average, d.csat_count, grace_days,
               d.cei_opening_ar_minor, d.cei_credit_sales_minor, d.write_offs_minor, d.promises_due,
               d.promises_kept
        FROM day d WHERE d.kind = 'kpi'
        RETURNING 1
    ),
    csat AS (
        INSERT INTO public.csat_snapshots (tenant_id, as_of, csat_percent, csat_average, csat_count)
        SELECT public.current_tenant_id(), worker_store_day.as_of, d.csat_percent, d.csat_average, d.csat_count
        FROM day d WHERE d.kind = 'csat'
        RETURNING 1
    )
    SELECT ((SELECT count(*) FROM ageing) + (SELECT count(*) FROM clients)
            + (SELECT count(*) FROM kpis) + (SELECT count(*) FROM csat))::int
    INTO stored;
    RETURN stored;
END
$fn$;
