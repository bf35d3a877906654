-- report_day: A tenant's whole day (ageing per currency and client, KPIs, satisfaction) with each balance computed once: the worker's stored snapshots, and (report_ageing, report_ageing_by_client, report_kpis) the live reports.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_day(for_tenant uuid, as_of date, bucket_limits integer[], dso_days integer, cei_days integer, grace_days integer, zone text)
 RETURNS TABLE(kind text, client_id uuid, currency character, total_minor bigint, current_minor bigint, bucket_minor bigint[], disputed_minor bigint, unapplied_credit_minor bigint, credit_sales_minor bigint, dso numeric, countback_dso numeric, best_possible_dso numeric, average_days_delinquent numeric, cei numeric, percent_current numeric, bad_debt_ratio numeric, promise_kept_rate numeric, csat_percent numeric, csat_average numeric, csat_count integer, cei_opening_ar_minor bigint, cei_credit_sales_minor bigint, write_offs_minor bigint, promises_due integer, promises_kept integer)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with
    -- Per invoice, what its entries (report_balance_entries) add to its balance
    -- at as_of (delta) and at as_of - cei_days (opening_delta), its write-offs
    -- dated in the DSO period (write-offs, not credit notes: bad debt), and what
    -- its disputes open at as_of hold (report_disputed_minor): the balances of
    -- report_invoice_balances, for both dates in one pass.
    facts as (
        select e.invoice_id,
               public.report_sum(e.amount_minor) filter (where public.report_counts(e.on_date, e.ends_on, as_of)) as delta,
               public.report_sum(e.amount_minor)
                   filter (where public.report_counts(e.on_date, e.ends_on, as_of - cei_days)) as opening_delta,
               public.report_sum(-e.amount_minor) filter (where e.kind = 'write_off' and e.on_date > as_of - dso_days)
                   as written_off,
               public.report_sum(e.held_minor) filter (where e.kind = 'dispute'
                                                         and public.report_counts(e.on_date, e.ends_on, as_of)) as held
        from public.report_balance_entries(for_tenant, as_of) e
        group by e.invoice_id
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
               public.report_disputed_minor(i.amount_minor + coalesce(x.delta, 0), x.held) as disputed
        from public.invoices i
        left join facts x on x.invoice_id = i.id
        where i.tenant_id = for_tenant
          and i.issued_on <= as_of
          and (i.voided_on is null or i.voided_on > as_of
               or (i.issued_on <= as_of - cei_days and i.voided_on > as_of - cei_days))
    ),
    -- Ageing lines at as_of per client, currency and bucket (report_ageing_by_client's lines).
    lines as (
        select b.client_id, b.currency,
               public.report_bucket(as_of - b.due_on, bucket_limits) as bucket,
               public.report_sum(b.balance) as amount,
               public.report_sum(b.disputed) as disputed
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
    -- Unapplied credit at as_of per client and currency.
    credit as (
        select c.client_id, c.currency, public.report_sum(c.unapplied_credit_minor) as unapplied
        from public.report_payment_credit(for_tenant, as_of) c
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
        where t.id = for_tenant and t.default_currency is not null
    ),
    ageing_currencies as (
        select t.currency from currency_totals t
        union
        select c.currency from currency_credit c
        union
        select d.currency from default_currency d
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
            -- promises due in the DSO period, kept or not (report_promises_due)
            select p.currency, null, null, null, null, null, null, 1, case when p.kept then 1 else 0 end
            from public.report_promises_due(for_tenant, as_of, dso_days, grace_days, zone) p
            union all
            -- a payment plan defaulted in the DSO period is a broken promise
            -- (DESIGN.md "Payment plans and agencies"; plan_instalments_at)
            select pl.currency, null, null, null, null, null, null, 1, 0
            from (select distinct a.plan_id, a.currency, a.defaulted_on
                  from public.plan_instalments_at(for_tenant, as_of, grace_days) a) pl
            where pl.defaulted_on > as_of - dso_days
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
        select * from public.report_csat(for_tenant, as_of, dso_days, zone)
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
$function$;
