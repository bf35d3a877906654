-- report_collector_kpis: THE per-collector KPIs: per collector and currency, the promises due in the DSO period it took and kept (promise-kept rate), and the money collected after its contacts.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A promise is its note author's: report_promises_due's rows (the tenant's own
-- promise-kept rule) whose author is a collector's handle; the rate is kept x
-- 100 / due, to 2 places (report_ratio: NULL when none was due). Plan defaults,
-- which the tenant's rate counts as broken promises, belong to no collector.
--
-- Collected after contact: each payment application dated in the DSO period and
-- counting at as_of (report_application_entries, report_counts), credited once,
-- to the collector of the latest contact note about the invoice's client written
-- by a collector on the application's day or in the 7 days before it (by the
-- tenant's calendar). An application with no such note is nobody's. Summed in
-- the invoice's currency.
--
-- Every collector not archived gets a row (the tenant's currency, zeros and a
-- NULL rate when it has no figures); an archived one only with figures.
CREATE OR REPLACE FUNCTION public.report_collector_kpis(for_tenant uuid, as_of date, dso_days integer, grace_days integer, zone text)
 RETURNS TABLE(collector_id uuid, handle text, display_name text, team text, currency character,
               promises_due integer, promises_kept integer, promise_kept_rate numeric,
               collected_after_contact_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with promised as (
        select k.id as collector_id, p.currency, count(*) as due, count(*) filter (where p.kept) as kept
        from public.report_promises_due(for_tenant, as_of, dso_days, grace_days, zone) p
        join public.collectors k on k.tenant_id = for_tenant and k.handle = p.author
        group by 1, 2
    ), applied as (
        select i.client_id, i.currency, e.amount_minor, e.on_date
        from public.report_application_entries(for_tenant, as_of) e
        join public.invoices i on i.tenant_id = for_tenant and i.id = e.invoice_id
        where e.on_date > as_of - dso_days and public.report_counts(e.on_date, e.ends_on, as_of)
    ), credited as (
        select c.collector_id, a.currency, public.report_sum(a.amount_minor) as amount
        from applied a
        cross join lateral (
            select k.id as collector_id
            from public.contact_notes n
            join public.collectors k on k.tenant_id = for_tenant and k.handle = n.author
            where n.tenant_id = for_tenant and n.client_id = a.client_id
              -- the same 8 local days as instants, so that contact_notes_client_idx
              -- (tenant, client, noted_at) reads only them, not all the client's notes
              and n.noted_at >= (a.on_date - 7)::timestamp at time zone zone
              and n.noted_at < (a.on_date + 1)::timestamp at time zone zone
              and public.local_date(n.noted_at, zone) between a.on_date - 7 and a.on_date
            order by n.noted_at desc, n.id desc
            limit 1
        ) c
        group by 1, 2
    ), figures as (
        select coalesce(p.collector_id, c.collector_id) as collector_id, coalesce(p.currency, c.currency) as currency,
               coalesce(p.due, 0) as due, coalesce(p.kept, 0) as kept, coalesce(c.amount, 0) as collected
        from promised p full join credited c on c.collector_id = p.collector_id and c.currency = p.currency
    )
    select k.id, k.handle, k.display_name, tm.name, coalesce(f.currency, t.default_currency, 'USD'),
           coalesce(f.due, 0)::int, coalesce(f.kept, 0)::int,
           public.report_ratio(100 * coalesce(f.kept, 0), coalesce(f.due, 0)),
           coalesce(f.collected, 0)::bigint
    from public.collectors k
    join public.tenants t on t.id = for_tenant
    left join public.collector_teams tm on tm.tenant_id = for_tenant and tm.id = k.team_id
    left join figures f on f.collector_id = k.id
    where k.tenant_id = for_tenant and (k.archived_on is null or f.collector_id is not null)
    order by k.handle, 5
$function$;
