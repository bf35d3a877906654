-- report_promise_paid: THE rule of what a promise to pay has been paid: the client's payments in its currency received from the day it was made to its deadline (by as_of), not reversed by as_of.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- Used in LATERAL (inlined) for one promise: the promise-kept rate (report_day),
-- the worker's decisions (as of the deadline: worker_decide_promises) and the
-- live promise states (PromiseSQL).
CREATE OR REPLACE FUNCTION public.report_promise_paid(for_tenant uuid, of_client uuid, in_currency character, made_on date, deadline date, as_of date)
 RETURNS TABLE(paid_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select coalesce(public.report_sum(p.amount_minor), 0)::bigint
    from public.payments p
    where p.tenant_id = for_tenant and p.client_id = of_client
      and p.currency = in_currency
      and p.received_on >= made_on and p.received_on <= least(deadline, as_of)
      and (p.reversed_on is null or p.reversed_on > as_of)
$function$;
