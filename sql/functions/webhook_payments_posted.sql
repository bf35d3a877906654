-- webhook_payments_posted: Trigger, once per insert statement on payments: a payment.posted event per payment, in the posting's transaction.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Every posting path writes its payments in one statement (PaymentPosting, the
-- importer through it), so this runs once per posting, whatever its size, and
-- hands webhook_emit the posting's payments as one set. A tenant with no
-- endpoint at all (most, and every import benchmark) costs one index probe. The
-- tenant is each row's own (never the setting).
--
-- What a statement that reads a table needs of the transition table it takes as
-- arrays, read from the transition table alone first: on Citus the trigger runs
-- on the shard, and a statement that joins the transition table to a distributed
-- table fails there ("executor could not find named tuplestore",
-- deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.webhook_payments_posted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    tenants uuid[];
    wanted uuid[];
    client_ids uuid[];
    refs text[];
begin
    select array_agg(distinct n.tenant_id) into tenants from new_rows n;
    if tenants is null or not exists (select from public.webhook_endpoints e where e.tenant_id = any (tenants)) then
        return null;
    end if;
    select array_agg(distinct n.client_id) into wanted from new_rows n;
    select array_agg(c.id), array_agg(c.ref) into client_ids, refs
    from public.clients c
    where c.tenant_id = any (tenants) and c.id = any (wanted);
    perform public.webhook_emit(p.tenant_id, 'payment.posted',
                                array_agg(jsonb_build_object('payment_id', p.id, 'client_ref', c.ref,
                                                             'reference', p.reference, 'amount_minor', p.amount_minor,
                                                             'currency', p.currency, 'received_on', p.received_on)),
                                array_agg(p.id::text))
    from new_rows p
    join unnest(client_ids, refs) as c(id, ref) on c.id = p.client_id
    group by p.tenant_id;
    return null;
end
$function$;
