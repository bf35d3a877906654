-- placement_refusals: THE rule of which invoices may not be placed with an agency on a day, and why, in words.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- One row per refused invoice of `invoice_ids` (a client's, as named by the
-- caller): void or not yet issued at on_day, paid (no balance left), with a
-- dispute open at on_day, already placed (an active placement holds it).
-- Balances and disputes are report_invoice_balances' (the one balance rule).
-- covered by a payment plan current at on_day (plan_instalments_at, with the
-- tenant's grace days). This function is the only place.
CREATE OR REPLACE FUNCTION public.placement_refusals(for_tenant uuid, invoice_ids uuid[], on_day date)
 RETURNS TABLE(invoice_id uuid, number text, reason text)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select i.id, i.number,
           case when b.invoice_id is null then 'it is void or not issued on ' || on_day
                when b.balance_minor <= 0 then 'it is paid (nothing is owed on it on ' || on_day || ')'
                when b.disputed then 'it has a dispute open on ' || on_day
                when i.placed_agency_id is not null or exists (
                         select 1 from public.placement_invoices pi
                         join public.placements p on p.tenant_id = for_tenant and p.id = pi.placement_id
                         where pi.tenant_id = for_tenant and pi.invoice_id = i.id and p.recalled_on is null)
                    then 'it is already placed with an agency'
                when op.plan_id is not null then 'it is covered by payment plan ' || op.plan_id
           end
    from public.invoices i
    left join public.report_invoice_balances(for_tenant, on_day) b on b.invoice_id = i.id
    left join (
        select distinct pi.invoice_id, a.plan_id
        from public.plan_instalments_at(for_tenant, on_day,
                 (select t.promise_grace_days from public.tenants t where t.id = for_tenant)) a
        join public.plan_invoices pi on pi.tenant_id = for_tenant and pi.plan_id = a.plan_id
        where a.plan_status = 'current'
    ) op on op.invoice_id = i.id
    where i.tenant_id = for_tenant and i.id = any (invoice_ids)
      and (b.invoice_id is null or b.balance_minor <= 0 or b.disputed or i.placed_agency_id is not null
           or op.plan_id is not null
           or exists (select 1 from public.placement_invoices pi
                      join public.placements p on p.tenant_id = for_tenant and p.id = pi.placement_id
                      where pi.tenant_id = for_tenant and pi.invoice_id = i.id and p.recalled_on is null))
    order by i.number
$function$;
