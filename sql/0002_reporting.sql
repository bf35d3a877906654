-- 0002_reporting.sql: ageing and KPIs as of a date, computed set-based in SQL.
--
-- DESIGN.md "KPI definitions (fixed)" implemented once, here, as plain SQL
-- functions that the service (live reports) and the daily worker (stored
-- snapshots) both call:
--
--   report_invoice_balances(as_of)                  one row per invoice: balance at as_of
--   report_payment_credit(as_of)                    one row per payment: unapplied credit at as_of
--   report_ageing(as_of, bucket_limits)             one row per currency
--   report_ageing_by_client(as_of, bucket_limits)   one row per client and currency
--   report_csat(as_of, dso_days, zone)              one row: satisfaction over the DSO period
--   report_kpis(as_of, dso_days, cei_days, grace_days, zone)   one row per currency
--
-- e.g. the worker's snapshot, in the transaction that has the tenant set:
--   INSERT INTO <kpi snapshot table> SELECT current_tenant_id(), $1, k.*
--   FROM report_kpis($1, <tenant.dso_period_days>, ...) k ON CONFLICT ... DO UPDATE ...
-- with `SET LOCAL jit = off` first: a few milliseconds of work per tenant
-- whose cost estimate can cross jit_above_cost, and JIT then costs far more
-- than it saves.
--
-- Tenancy: every function is LANGUAGE sql, invoker rights (no SECURITY
-- DEFINER, no LEAKPROOF), STABLE, not STRICT and a single SELECT, so the
-- planner inlines it into the calling query and row-level security applies as
-- for any query of the caller. Each table is also filtered explicitly on
-- tenant_id = current_tenant_id(): with no tenant set nothing is read, even by
-- a role that bypasses row-level security. Names are schema-qualified because a
-- SQL function body is resolved with the caller's search_path.
--
-- Facts dated after as_of are never read, so a report for a past date is
-- reproducible. Money is bigint minor units, summed exactly with report_sum
-- (bigint arithmetic that fails on overflow, never wraps or rounds). Ratios are
-- numeric rounded to 2 places, NULL when their denominator is 0. Nothing is
-- summed across currencies.

------------------------------------------------------------------------------
-- Covering indexes for the per-tenant scans (PERFORMANCE-NOTES: one tenant's
-- rows spread over thousands of pages, per-tenant queries want covering
-- indexes). Payments by date, with everything the reports read; and the few
-- reversed payments, for the anti-join that drops their applications.
------------------------------------------------------------------------------

CREATE INDEX payments_received_idx ON payments (tenant_id, received_on)
    INCLUDE (id, client_id, currency, amount_minor, reversed_on);

CREATE INDEX payments_reversed_idx ON payments (tenant_id, id)
    INCLUDE (reversed_on)
    WHERE reversed_on IS NOT NULL;

------------------------------------------------------------------------------
-- Helpers.
------------------------------------------------------------------------------

-- Exact sum of bigint money: int8pl raises "bigint out of range" rather than
-- wrap, so a result is always exact. Unlike sum(bigint), whose state is a
-- numeric accumulator allocated per group and whose result is numeric, the
-- state is a plain bigint: per-invoice and per-payment sums (thousands of
-- groups) run about a quarter faster (PERFORMANCE-NOTES: 10-30%). NULL over no
-- rows, like sum.
CREATE AGGREGATE report_sum(bigint) (
    SFUNC = int8pl,
    STYPE = bigint,
    COMBINEFUNC = int8pl,
    PARALLEL = SAFE
);

-- numerator / denominator rounded to 2 decimal places (half away from zero);
-- NULL when the denominator is 0 (or either is NULL). The numerator is given
-- 30 decimal places first, so the rounding is the exact quotient's: a quotient
-- of integers with a denominator below 10^26 is never within 10^-30 of a
-- rounding boundary without being on it.
CREATE FUNCTION report_ratio(numerator numeric, denominator numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    select case when denominator <> 0
                then round(numerator::numeric(1000, 30) / denominator, 2) end
$$;

-- Ageing bucket of an invoice `days_past_due` days past due: 0 when current
-- (<= 0), i when 1 + limits[i-1] .. limits[i] (limits[0] = 0), and
-- cardinality(limits) + 1 past the last limit. {30,60,90}: 0 current, 1 1-30,
-- 2 31-60, 3 61-90, 4 91+. The limits are the tenant's, sorted and positive
-- (ageing_bucket_limits_valid).
CREATE FUNCTION report_bucket(days_past_due int, bucket_limits int[]) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    select case when days_past_due <= 0 then 0
                else 1 + width_bucket(days_past_due - 1, bucket_limits) end
$$;

-- The amounts of past-due buckets 1 .. n as an array of n elements, from the
-- (bucket, amount) pairs found, zeros where none (bucket 0, current, is left out).
CREATE FUNCTION report_bucket_array(buckets int[], amounts bigint[], n int) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    select array(
        select coalesce(amounts[array_position(buckets, s.bucket)], 0)
        from generate_series(1, n) as s(bucket)
        order by s.bucket)
$$;

------------------------------------------------------------------------------
-- Balances.
------------------------------------------------------------------------------

-- Every invoice issued on or before as_of and not voided on or before it, with
-- its balance at as_of:
--   amount + charges dated <= as_of
--          - applications dated <= as_of of payments not reversed on or before as_of
--          - write-offs dated <= as_of
-- days_past_due = as_of - due_on (current when <= 0); disputed when a dispute
-- was opened on or before as_of and not resolved on or before it.
CREATE FUNCTION report_invoice_balances(as_of date)
    RETURNS TABLE (
        invoice_id    uuid,
        client_id     uuid,
        currency      char(3),
        issued_on     date,
        due_on        date,
        amount_minor  bigint,
        balance_minor bigint,
        days_past_due int,
        disputed      boolean
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    select i.id, i.client_id, i.currency, i.issued_on, i.due_on, i.amount_minor,
           (i.amount_minor + coalesce(x.delta, 0))::bigint,
           as_of - i.due_on,
           coalesce(x.disputed, false)
    from public.invoices i
    -- Every change to a balance, and every open dispute, gathered and summed per
    -- invoice in one pass (one aggregate and one join, not one per table).
    left join (
        select f.invoice_id, public.report_sum(f.delta) as delta, bool_or(f.disputed) as disputed
        from (
            select ch.invoice_id, ch.amount_minor as delta, false as disputed
            from public.invoice_charges ch
            where ch.tenant_id = public.current_tenant_id() and ch.charged_on <= as_of
            union all
            select pa.invoice_id, -pa.amount_minor, false
            from public.payment_applications pa
            where pa.tenant_id = public.current_tenant_id() and pa.applied_on <= as_of
              and not exists (
                  select from public.payments p
                  where p.tenant_id = public.current_tenant_id() and p.id = pa.payment_id
                    and p.reversed_on <= as_of)
            union all
            select wo.invoice_id, -wo.amount_minor, false
            from public.write_offs wo
            where wo.tenant_id = public.current_tenant_id() and wo.written_off_on <= as_of
            union all
            select ds.invoice_id, 0, true
            from public.disputes ds
            where ds.tenant_id = public.current_tenant_id() and ds.opened_on <= as_of
              and (ds.resolved_on is null or ds.resolved_on > as_of)
        ) f
        group by f.invoice_id
    ) x on x.invoice_id = i.id
    where i.tenant_id = public.current_tenant_id()
      and i.issued_on <= as_of
      and (i.voided_on is null or i.voided_on > as_of)
$$;

-- Every payment received on or before as_of, with its unapplied credit at
-- as_of: amount - applications dated <= as_of; 0 once reversed on or before
-- as_of (a reversed payment pays nothing and is owed nothing).
CREATE FUNCTION report_payment_credit(as_of date)
    RETURNS TABLE (
        payment_id             uuid,
        client_id              uuid,
        currency               char(3),
        received_on            date,
        reversed               boolean,
        unapplied_credit_minor bigint
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    select p.id, p.client_id, p.currency, p.received_on,
           coalesce(p.reversed_on <= as_of, false),
           case when p.reversed_on <= as_of then 0
                else (p.amount_minor - coalesce(a.applied, 0))::bigint end
    from public.payments p
    left join (
        select pa.payment_id, public.report_sum(pa.amount_minor) as applied
        from public.payment_applications pa
        where pa.tenant_id = public.current_tenant_id() and pa.applied_on <= as_of
        group by pa.payment_id
    ) a on a.payment_id = p.id
    where p.tenant_id = public.current_tenant_id() and p.received_on <= as_of
$$;

------------------------------------------------------------------------------
-- Ageing.
------------------------------------------------------------------------------

-- Per currency: total (= AR), current, the past-due buckets of bucket_limits
-- (bucket_minor[i] = report_bucket i; cardinality(bucket_limits) + 1
-- elements, zeros included), disputed balance (also counted in the buckets)
-- and unapplied credit. One row for every currency with an invoice (not void)
-- or a payment dated on or before as_of, and for the tenant's default
-- currency, so a tenant with no activity yet still gets its zero row.
CREATE FUNCTION report_ageing(as_of date, bucket_limits int[])
    RETURNS TABLE (
        currency               char(3),
        total_minor            bigint,
        current_minor          bigint,
        bucket_minor           bigint[],
        disputed_minor         bigint,
        unapplied_credit_minor bigint
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    with lines as (
        select b.currency, public.report_bucket(b.days_past_due, bucket_limits) as bucket,
               public.report_sum(b.balance_minor) as amount,
               public.report_sum(b.balance_minor) filter (where b.disputed) as disputed
        from public.report_invoice_balances(as_of) b
        group by 1, 2
    ),
    totals as (
        select l.currency, public.report_sum(l.amount) as total,
               public.report_sum(l.amount) filter (where l.bucket = 0) as current,
               public.report_sum(l.disputed) as disputed,
               array_agg(l.bucket) as buckets, array_agg(l.amount) as amounts
        from lines l
        group by 1
    ),
    credit as (
        select pc.currency, public.report_sum(pc.unapplied_credit_minor) as unapplied
        from public.report_payment_credit(as_of) pc
        group by 1
    ),
    currencies as (
        select t.currency from totals t
        union
        select c.currency from credit c
        union
        select t.default_currency from public.tenants t
        where t.id = public.current_tenant_id() and t.default_currency is not null
    )
    select k.currency,
           coalesce(t.total, 0)::bigint,
           coalesce(t.current, 0)::bigint,
           public.report_bucket_array(t.buckets, t.amounts, cardinality(bucket_limits) + 1),
           coalesce(t.disputed, 0)::bigint,
           coalesce(c.unapplied, 0)::bigint
    from currencies k
    left join totals t on t.currency = k.currency
    left join credit c on c.currency = k.currency
$$;

-- Per client and currency, the same figures as report_ageing. Only rows with
-- something to show: a non-zero total, disputed balance or unapplied credit.
CREATE FUNCTION report_ageing_by_client(as_of date, bucket_limits int[])
    RETURNS TABLE (
        client_id              uuid,
        currency               char(3),
        total_minor            bigint,
        current_minor          bigint,
        bucket_minor           bigint[],
        disputed_minor         bigint,
        unapplied_credit_minor bigint
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    with lines as (
        select b.client_id, b.currency,
               public.report_bucket(b.days_past_due, bucket_limits) as bucket,
               public.report_sum(b.balance_minor) as amount,
               public.report_sum(b.balance_minor) filter (where b.disputed) as disputed
        from public.report_invoice_balances(as_of) b
        group by 1, 2, 3
    ),
    totals as (
        select l.client_id, l.currency, public.report_sum(l.amount) as total,
               public.report_sum(l.amount) filter (where l.bucket = 0) as current,
               public.report_sum(l.disputed) as disputed,
               array_agg(l.bucket) as buckets, array_agg(l.amount) as amounts
        from lines l
        group by 1, 2
    ),
    credit as (
        select pc.client_id, pc.currency, public.report_sum(pc.unapplied_credit_minor) as unapplied
        from public.report_payment_credit(as_of) pc
        group by 1, 2
    )
    select coalesce(t.client_id, c.client_id),
           coalesce(t.currency, c.currency),
           coalesce(t.total, 0)::bigint,
           coalesce(t.current, 0)::bigint,
           public.report_bucket_array(t.buckets, t.amounts, cardinality(bucket_limits) + 1),
           coalesce(t.disputed, 0)::bigint,
           coalesce(c.unapplied, 0)::bigint
    from totals t
    full join credit c on c.client_id = t.client_id and c.currency = t.currency
    where coalesce(t.total, 0) <> 0 or coalesce(t.disputed, 0) <> 0 or coalesce(c.unapplied, 0) <> 0
$$;

------------------------------------------------------------------------------
-- KPIs.
------------------------------------------------------------------------------

-- Customer satisfaction over the DSO period: the 1-5 scores on contact notes
-- whose date in the tenant's time zone (`zone`) is in as_of - dso_days + 1 ..
-- as_of. csat_percent = share of 4 and 5 x 100, csat_average = mean,
-- csat_count = how many; both ratios NULL without scores. Scores have no
-- currency: report_kpis repeats these in every currency row.
CREATE FUNCTION report_csat(as_of date, dso_days int, zone text)
    RETURNS TABLE (
        csat_percent numeric,
        csat_average numeric,
        csat_count   int
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    select public.report_ratio(100 * count(*) filter (where n.satisfaction >= 4), count(*)),
           public.report_ratio(sum(n.satisfaction), count(*)),
           count(*)::int
    from public.contact_notes n
    where n.tenant_id = public.current_tenant_id()
      and n.satisfaction is not null
      -- A day wider on each side than the period, for the index on noted_at
      -- (local midnight moves with daylight saving time) ...
      and n.noted_at >= (as_of - dso_days)::timestamp at time zone zone
      and n.noted_at < (as_of + 2)::timestamp at time zone zone
      -- ... and the exact rule: the note's local date is in the period.
      and (n.noted_at at time zone zone)::date between as_of - dso_days + 1 and as_of
$$;

-- Every KPI of DESIGN.md for as_of, one row per currency. dso_days = P and
-- cei_days = C (the periods end on as_of: D-P+1 .. D), grace_days = the
-- promise grace, zone = the tenant's IANA time zone (dates of contact notes).
--
--   ar_minor = AR(D), current_minor = current AR(D), credit_sales_minor = S(P)
--   dso = AR(D) / S(P) x P; best_possible_dso = current AR(D) / S(P) x P;
--   average_days_delinquent = (AR(D) - current AR(D)) / S(P) x P, i.e. DSO -
--     best possible DSO, each rounded once from the exact value
--   countback_dso: R = AR(D); walk back month 0 (as_of's month, its 1st to
--     as_of), 1, ... 23 (whole calendar months): while R > 0 and R >= the
--     month's credit sales, subtract them and add the month's days; then add
--     R / that month's sales x its days and stop. Stopping with R = 0 adds 0
--     (nothing left to count back); R < 0 over a month without sales is NULL.
--     When all 24 months are walked the days of those months are the answer.
--   cei = (AR(D-C) + S(C) - AR(D)) / (AR(D-C) + S(C) - current AR(D)) x 100
--   percent_current = current AR(D) / AR(D) x 100
--   bad_debt_ratio = write-offs dated in the DSO period / S(P) x 100
--   promise_kept_rate = kept / due x 100 over the promises (contact notes with
--     outcome promise_to_pay, in promise_currency) made on or before as_of
--     whose promise_date + grace_days is in the DSO period; kept when the
--     client's payments in that currency, not reversed by as_of, received from
--     the note's local date to promise_date + grace_days, sum to at least the
--     promised amount
--   csat_*: report_csat
-- Credit sales of a month and S(P), S(C) leave out invoices void at as_of.
-- Extra columns: cei_opening_ar_minor = AR(D-C), cei_credit_sales_minor =
-- S(C), write_offs_minor (in the DSO period), promises_due, promises_kept.
--
-- Currencies: those of report_ageing (an invoice not void or a payment dated
-- on or before as_of, and the default currency), those with AR at D-C, and
-- those of counted promises.
CREATE FUNCTION report_kpis(as_of date, dso_days int, cei_days int, grace_days int, zone text)
    RETURNS TABLE (
        currency                char(3),
        ar_minor                bigint,
        current_minor           bigint,
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
    -- Invoices issued in any period read below, not void at as_of; month = how
    -- many calendar months before as_of's month they were issued.
    sold as (
        select i.currency, i.issued_on, i.amount_minor,
               -- (date_part is float8: much cheaper per row than extract's numeric)
               (date_part('year', as_of::timestamp) * 12 + date_part('month', as_of::timestamp))::int
               - (date_part('year', i.issued_on::timestamp) * 12
                  + date_part('month', i.issued_on::timestamp))::int as month
        from public.invoices i
        where i.tenant_id = public.current_tenant_id()
          and i.issued_on <= as_of
          and i.issued_on >= least(as_of - dso_days + 1, as_of - cei_days + 1,
                                   (date_trunc('month', as_of::timestamp) - interval '23 months')::date)
          and (i.voided_on is null or i.voided_on > as_of)
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
    -- Every term of every ratio, gathered as rows and summed per currency in one
    -- aggregate (no join per term). The rows also decide which currencies get a
    -- row: any with an invoice or a payment dated on or before as_of, AR at D-C
    -- or a promise counted, and the tenant's default currency.
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
            -- AR(D) and current AR(D)
            select b.currency, b.balance_minor as ar,
                   case when b.days_past_due <= 0 then b.balance_minor end as current,
                   null::bigint as opening, null::bigint as sales, null::bigint as cei_sales,
                   null::bigint as written_off, null::int as due, null::int as kept
            from public.report_invoice_balances(as_of) b
            union all
            -- AR(D-C)
            select b.currency, null, null, b.balance_minor, null, null, null, null, null
            from public.report_invoice_balances(as_of - cei_days) b
            union all
            -- S(P) and S(C)
            select s.currency, null, null, null,
                   case when s.issued_on > as_of - dso_days then s.amount_minor end,
                   case when s.issued_on > as_of - cei_days then s.amount_minor end,
                   null, null, null
            from sold s
            union all
            -- write-offs dated in the DSO period, of invoices not void at as_of
            select i.currency, null, null, null, null, null, wo.amount_minor, null, null
            from public.write_offs wo
            join public.invoices i on i.tenant_id = wo.tenant_id and i.id = wo.invoice_id
            where wo.tenant_id = public.current_tenant_id()
              and i.tenant_id = public.current_tenant_id()
              and wo.written_off_on between as_of - dso_days + 1 and as_of
              and i.issued_on <= as_of
              and (i.voided_on is null or i.voided_on > as_of)
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
            union all
            -- currencies with a payment and no invoice still get a row
            select pm.currency, null, null, null, null, null, null, null, null
            from (select distinct pm.currency
                  from public.payments pm
                  where pm.tenant_id = public.current_tenant_id() and pm.received_on <= as_of) pm
            union all
            select t.default_currency, null, null, null, null, null, null, null, null
            from public.tenants t
            where t.id = public.current_tenant_id() and t.default_currency is not null
        ) t
        group by t.currency
    ),
    -- Month k = 0 .. 23 back from as_of's month; month 0 counts its 1st .. as_of.
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
        select s.currency, s.month, public.report_sum(s.amount_minor) as sales
        from sold s
        where s.month between 0 and 23
        group by 1, 2
    ),
    -- Countback: per currency and month, R before the month = AR - the sales of
    -- the months before; a month is walked whole when R > 0 and R >= its sales.
    -- Walked months are a prefix (sales are never negative); the first month
    -- not walked is where the walk stops.
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
                   -- the stop month is the first not walked: the lowest k
                   (array_agg(w.remaining order by w.k) filter (where not w.walked))[1] as stop_remaining,
                   (array_agg(w.sales order by w.k) filter (where not w.walked))[1] as stop_sales,
                   (array_agg(w.days order by w.k) filter (where not w.walked))[1] as stop_days
            from walk w
            group by 1
        ) s
    )
    select t.currency,
           t.ar,
           t.current,
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
    cross join public.report_csat(as_of, dso_days, zone) cs
    -- The terms as numeric: products like AR x P never overflow.
    cross join lateral (
        select t.ar::numeric as ar, t.current::numeric as current, t.sales::numeric as sales,
               t.cei_sales::numeric as cei_sales, t.opening::numeric as opening,
               t.written_off::numeric as written_off
    ) v
$$;
