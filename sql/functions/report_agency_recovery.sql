-- report_agency_recovery: THE agencies' recovery rate: per agency and currency, what it collected (its remittances that count at as_of) over what was placed with it (each placed invoice's balance when placed), with the commission owed.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Placements count from their day (recalled ones too: what was placed stays the
-- denominator); a remittance counts from its day unless its payment was reversed
-- by as_of (report_counts). The rate is a percentage, as every KPI ratio is, to
-- 2 places (report_ratio's): NULL when nothing was placed. An agency with nothing placed or collected by as_of gets one row in the
-- tenant's currency, zeros and a NULL rate, so every agency is reported.
CREATE OR REPLACE FUNCTION public.report_agency_recovery(for_tenant uuid, as_of date)
 RETURNS TABLE(agency_id uuid, agency_name text, commission_bp integer, currency character,
               placed_minor bigint, collected_minor bigint, commission_minor bigint, recovery_rate numeric)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with placed as (
        select p.agency_id, pi.currency, sum(pi.placed_minor) as amount
        from public.placements p
        join public.placement_invoices pi on pi.tenant_id = for_tenant and pi.placement_id = p.id
        where p.tenant_id = for_tenant and p.placed_on <= as_of
        group by 1, 2
    ), collected as (
        select r.agency_id, r.currency, sum(r.amount_minor) as amount, sum(r.commission_minor) as commission
        from public.agency_remittances r
        join public.payments y on y.tenant_id = for_tenant and y.id = r.payment_id
        where r.tenant_id = for_tenant and public.report_counts(r.received_on, y.reversed_on, as_of)
        group by 1, 2
    ), figures as (
        select coalesce(p.agency_id, c.agency_id) as agency_id, coalesce(p.currency, c.currency) as currency,
               coalesce(p.amount, 0) as placed, coalesce(c.amount, 0) as collected,
               coalesce(c.commission, 0) as commission
        from placed p full join collected c on c.agency_id = p.agency_id and c.currency = p.currency
    )
    select a.id, a.name, a.commission_bp, coalesce(f.currency, t.default_currency, 'USD'),
           coalesce(f.placed, 0)::bigint, coalesce(f.collected, 0)::bigint, coalesce(f.commission, 0)::bigint,
           public.report_ratio(100 * coalesce(f.collected, 0), coalesce(f.placed, 0))
    from public.agencies a
    join public.tenants t on t.id = for_tenant
    left join figures f on f.agency_id = a.id
    where a.tenant_id = for_tenant
    order by a.name, 4
$function$;
