-- report_invoice_balances: Each invoice's balance at as_of: amount + charges - applications not reversed by as_of - write-offs, all dated <= as_of; void invoices count nothing.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_invoice_balances(as_of date)
 RETURNS TABLE(invoice_id uuid, client_id uuid, currency character, issued_on date, due_on date, amount_minor bigint, balance_minor bigint, days_past_due integer, disputed boolean)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
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
            where ch.tenant_id = (SELECT public.current_tenant_id()) and ch.charged_on <= as_of
            union all
            select pa.invoice_id, -pa.amount_minor, false
            from public.payment_applications pa
            where pa.tenant_id = (SELECT public.current_tenant_id()) and pa.applied_on <= as_of
              and not exists (
                  select from public.payments p
                  where p.tenant_id = (SELECT public.current_tenant_id()) and p.id = pa.payment_id
                    and p.reversed_on <= as_of)
            union all
            select wo.invoice_id, -wo.amount_minor, false
            from public.write_offs wo
            where wo.tenant_id = (SELECT public.current_tenant_id()) and wo.written_off_on <= as_of
            union all
            select ds.invoice_id, 0, true
            from public.disputes ds
            where ds.tenant_id = (SELECT public.current_tenant_id()) and ds.opened_on <= as_of
              and (ds.resolved_on is null or ds.resolved_on > as_of)
        ) f
        group by f.invoice_id
    ) x on x.invoice_id = i.id
    where i.tenant_id = (SELECT public.current_tenant_id())
      and i.issued_on <= as_of
      and (i.voided_on is null or i.voided_on > as_of)
$function$;
