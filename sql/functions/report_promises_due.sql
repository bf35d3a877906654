-- report_promises_due: THE promises the promise-kept rate counts: promises to pay whose date plus the grace days fell in the DSO period (made by as_of), each with its author and whether it was kept.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Kept: report_promise_paid (the client's payments in the promise's currency
-- from the day it was made to its date plus grace, not reversed by as_of) covers
-- the amount. Open promises not yet due are not here. The tenant's rate
-- (report_day) and each collector's (report_collector_kpis, by the note's
-- author) count these rows. Inlined by the planner.
CREATE OR REPLACE FUNCTION public.report_promises_due(for_tenant uuid, as_of date, dso_days integer, grace_days integer, zone text)
 RETURNS TABLE(note_id uuid, client_id uuid, author text, currency character, amount_minor bigint, made_on date,
               deadline date, kept boolean)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select n.id, n.client_id, n.author, n.promise_currency, n.promise_amount_minor,
           public.local_date(n.noted_at, zone), n.promise_date + grace_days,
           coalesce(paid.paid_minor, 0) >= n.promise_amount_minor
    from public.contact_notes n
    cross join lateral public.report_promise_paid(
        for_tenant, n.client_id, n.promise_currency, public.local_date(n.noted_at, zone), n.promise_date + grace_days,
        as_of) paid
    where n.tenant_id = for_tenant
      and n.outcome = 'promise_to_pay'
      and n.promise_date between as_of - dso_days + 1 - grace_days and as_of - grace_days
      and public.local_date(n.noted_at, zone) <= as_of
$function$;
