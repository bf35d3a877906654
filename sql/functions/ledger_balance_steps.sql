-- ledger_balance_steps: Each invoice's balance and open disputes as dated steps: what posting checks money against.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- For each invoice of invoice_ids: its amount from its issue date, then every entry
-- of report_balance_entries from its date while it counts and taken back on the day
-- it stops counting (a payment's reversal, a dispute's resolution). An entry that
-- ends on or before its own date never counts (report_counts) and has no step.
-- So the sum of balance_delta over the steps dated <= D is the invoice's balance at
-- D (for an invoice issued by D and not void at D), the sum of disputes_delta the
-- number of its disputes open at D, and the sums after each later step what the
-- balance will be then: the ledger (Sources/CollectionsService/Ledger/Posting)
-- adds them up, and never takes more off an invoice than the least of them.
CREATE OR REPLACE FUNCTION public.ledger_balance_steps(for_tenant uuid, invoice_ids uuid[])
 RETURNS TABLE(invoice_id uuid, on_date date, balance_delta bigint, disputes_delta integer)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with entries as materialized (
        select e.invoice_id, e.kind, e.amount_minor, e.on_date, e.ends_on
        from public.report_balance_entries(for_tenant, 'infinity') e
        where e.invoice_id = any(invoice_ids)
          and (e.ends_on is null or e.on_date < e.ends_on)
    )
    select i.id, i.issued_on, i.amount_minor, 0
    from public.invoices i
    where i.tenant_id = for_tenant and i.id = any(invoice_ids)
    union all
    select e.invoice_id, e.on_date, e.amount_minor, (e.kind = 'dispute')::integer
    from entries e
    union all
    select e.invoice_id, e.ends_on, -e.amount_minor, -(e.kind = 'dispute')::integer
    from entries e
    where e.ends_on is not null
$function$;
