-- report_invoice_entries_at: What one invoice's entries (report_balance_entries) add up to at as_of: the balance's change, what its open disputes hold, whether one is open, whether it was written off.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- One row always. The invoice's balance at as_of is its amount plus delta_minor
-- (for an invoice issued by as_of and not void then); what its disputes hold of
-- that balance is report_disputed_minor(balance, held_minor); written_off says a
-- write-off (not a credit note) was recorded by as_of. For the callers that judge
-- one invoice at a time, the dunning gate (dunning_plan) and the sender's check
-- (delivery_gate). Plain SQL, inlined by the planner, so the invoice filter
-- reaches each table's index.
CREATE OR REPLACE FUNCTION public.report_invoice_entries_at(for_tenant uuid, for_invoice uuid, as_of date)
 RETURNS TABLE(delta_minor bigint, held_minor bigint, disputed boolean, written_off boolean)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select coalesce(public.report_sum(e.amount_minor) filter (where public.report_counts(e.on_date, e.ends_on, as_of)), 0),
           public.report_sum(e.held_minor) filter (where e.kind = 'dispute' and public.report_counts(e.on_date, e.ends_on, as_of)),
           coalesce(bool_or(e.kind = 'dispute' and public.report_counts(e.on_date, e.ends_on, as_of)), false),
           coalesce(bool_or(e.kind = 'write_off'), false)
    from public.report_balance_entries(for_tenant, as_of) e
    where e.invoice_id = for_invoice
$function$;
