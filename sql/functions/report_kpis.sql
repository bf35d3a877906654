-- report_kpis: The live KPI report per currency as of a date (DESIGN.md "KPI definitions").
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_kpis(as_of date, dso_days integer, cei_days integer, grace_days integer, zone text)
 RETURNS TABLE(currency character, ar_minor bigint, current_minor bigint, credit_sales_minor bigint, dso numeric, countback_dso numeric, best_possible_dso numeric, average_days_delinquent numeric, cei numeric, percent_current numeric, bad_debt_ratio numeric, promise_kept_rate numeric, csat_percent numeric, csat_average numeric, csat_count integer, cei_opening_ar_minor bigint, cei_credit_sales_minor bigint, write_offs_minor bigint, promises_due integer, promises_kept integer)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
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
        where i.tenant_id = (SELECT public.current_tenant_id())
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
        where n.tenant_id = (SELECT public.current_tenant_id())
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
            where wo.tenant_id = (SELECT public.current_tenant_id())
              and i.tenant_id = (SELECT public.current_tenant_id())
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
                where pm.tenant_id = (SELECT public.current_tenant_id())
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
                  where pm.tenant_id = (SELECT public.current_tenant_id()) and pm.received_on <= as_of) pm
            union all
            select t.default_currency, null, null, null, null, null, null, null, null
            from public.tenants t
            where t.id = (SELECT public.current_tenant_id()) and t.default_currency is not null
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
$function$;
