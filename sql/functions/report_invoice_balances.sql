-- report_invoice_balances: Each invoice's balance at as_of, from report_balance_entries: issued on or before as_of and not void then.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- (Dropped first: disputed_minor changed its columns, which CREATE OR REPLACE cannot do.)
DROP FUNCTION IF EXISTS public.report_invoice_balances(uuid, date);
CREATE FUNCTION public.report_invoice_balances(for_tenant uuid, as_of date)
 RETURNS TABLE(invoice_id uuid, client_id uuid, currency character, issued_on date, due_on date, amount_minor bigint, balance_minor bigint, days_past_due integer, disputed boolean, disputed_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select i.id, i.client_id, i.currency, i.issued_on, i.due_on, i.amount_minor,
           (i.amount_minor + coalesce(x.delta, 0))::bigint,
           as_of - i.due_on,
           coalesce(x.disputed, false),
           public.report_disputed_minor(i.amount_minor + coalesce(x.delta, 0), x.held)
    from public.invoices i
    left join (
        select e.invoice_id,
               public.report_sum(e.amount_minor) filter (where public.report_counts(e.on_date, e.ends_on, as_of)) as delta,
               bool_or(e.kind = 'dispute' and public.report_counts(e.on_date, e.ends_on, as_of)) as disputed,
               public.report_sum(e.held_minor) filter (where e.kind = 'dispute' and public.report_counts(e.on_date, e.ends_on, as_of))
                   as held
        from public.report_balance_entries(for_tenant, as_of) e
        group by e.invoice_id
    ) x on x.invoice_id = i.id
    where i.tenant_id = for_tenant
      and i.issued_on <= as_of
      and (i.voided_on is null or i.voided_on > as_of)
$function$;
