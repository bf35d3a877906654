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
CREATE OR REPLACE FUNCTION public.webhook_payments_posted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
    if not exists (select from public.webhook_endpoints e
                   where e.tenant_id in (select distinct n.tenant_id from new_rows n)) then
        return null;
    end if;
    perform public.webhook_emit(p.tenant_id, 'payment.posted',
                                array_agg(jsonb_build_object('payment_id', p.id, 'client_ref', c.ref,
                                                             'reference', p.reference, 'amount_minor', p.amount_minor,
                                                             'currency', p.currency, 'received_on', p.received_on)),
                                array_agg(p.id::text))
    from new_rows p
    join public.clients c on c.tenant_id = p.tenant_id and c.id = p.client_id
    group by p.tenant_id;
    return null;
end
$function$;
