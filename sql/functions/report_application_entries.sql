-- report_application_entries: THE definition of a payment application as a dated fact: its amount applied on applied_on, ending on its payment's reversal (up to a date).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- One of the entries of report_balance_entries (which negates the amount), and
-- on its own what a payment plan has been paid (plan_instalments_at). Reversals
-- after up_to are left out (they cannot matter at any D <= up_to). Inlined by
-- the planner, inside report_balance_entries too.
CREATE OR REPLACE FUNCTION public.report_application_entries(for_tenant uuid, up_to date)
 RETURNS TABLE(invoice_id uuid, amount_minor bigint, on_date date, ends_on date)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select pa.invoice_id, pa.amount_minor, pa.applied_on, r.reversed_on
    from public.payment_applications pa
    left join public.payments r
           on r.tenant_id = for_tenant and r.id = pa.payment_id
          and r.reversed_on <= up_to
    where pa.tenant_id = for_tenant and pa.applied_on <= up_to
$function$;
