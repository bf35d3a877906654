-- report_balance_entries: Every dated fact that moves an invoice's balance (or disputes it), up to a date: THE definition of what a balance is made of.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- The balance of an invoice at D (DESIGN.md "KPI definitions") is its amount
-- plus the amount_minor of its entries that count at D (report_counts):
--   charge       +amount, dated charged_on
--   application  -amount, dated applied_on, ending on its payment's reversal
--                (report_application_entries)
--   write_off    -amount, dated written_off_on (kind 'write_off' or
--                         'credit_note', the write_offs row's kind)
--   dispute       0,      dated opened_on, ending on resolved_on (the invoice is
--                         disputed at D while one counts); held_minor is its
--                         amount (report_disputed_minor), NULL on other entries
-- Entries dated after up_to are left out; a reversal or resolution after up_to
-- may be left out too (it cannot matter at any D <= up_to). Every balance in the
-- service sums these: the reports (report_invoice_balances, report_day), the
-- worker (reminders), the ledger (LedgerSQL). Inlined by the planner, so a caller's
-- filter on invoice_id reaches each table's index. (Dropped first: held_minor
-- changed its columns, which CREATE OR REPLACE cannot do.)
DROP FUNCTION IF EXISTS public.report_balance_entries(uuid, date);
CREATE FUNCTION public.report_balance_entries(for_tenant uuid, up_to date)
 RETURNS TABLE(invoice_id uuid, kind text, amount_minor bigint, on_date date, ends_on date, held_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select ch.invoice_id, 'charge'::text, ch.amount_minor, ch.charged_on, null::date, null::bigint
    from public.invoice_charges ch
    where ch.tenant_id = for_tenant and ch.charged_on <= up_to
    union all
    select a.invoice_id, 'application', -a.amount_minor, a.on_date, a.ends_on, null
    from public.report_application_entries(for_tenant, up_to) a
    union all
    select wo.invoice_id, wo.kind, -wo.amount_minor, wo.written_off_on, null, null
    from public.write_offs wo
    where wo.tenant_id = for_tenant and wo.written_off_on <= up_to
    union all
    select ds.invoice_id, 'dispute', 0::bigint, ds.opened_on, ds.resolved_on, ds.amount_minor
    from public.disputes ds
    where ds.tenant_id = for_tenant and ds.opened_on <= up_to
$function$;
