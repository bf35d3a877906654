-- webhook_messages_sent: Trigger, once per update statement on dunning_messages: a message.sent event per message whose status became sent, in the sender's transaction.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The fact key is the message's own key (client, channel, day), so a message
-- marked sent twice is told once. The tenant is each row's own (never the setting).
--
-- What a statement that reads a table needs of the transition table it takes as
-- arrays, read from the transition table alone first: on Citus the trigger runs
-- on the shard, and a statement that joins the transition table to a distributed
-- table fails there ("executor could not find named tuplestore",
-- deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.webhook_messages_sent()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    tenants uuid[];
    wanted uuid[];
    client_ids uuid[];
    refs text[];
begin
    select array_agg(distinct n.tenant_id) into tenants from new_rows n where n.status = 'sent';
    if tenants is null or not exists (select from public.webhook_endpoints e where e.tenant_id = any (tenants)) then
        return null;
    end if;
    select array_agg(distinct n.client_id) into wanted from new_rows n where n.status = 'sent';
    select array_agg(c.id), array_agg(c.ref) into client_ids, refs
    from public.clients c
    where c.tenant_id = any (tenants) and c.id = any (wanted);
    perform public.webhook_emit(n.tenant_id, 'message.sent',
                                array_agg(jsonb_build_object('client_ref', c.ref, 'channel', n.channel,
                                                             'scheduled_on', n.scheduled_on, 'step', n.step,
                                                             'sent_at', n.sent_at)),
                                array_agg(n.client_id || '/' || n.channel || '/' || n.scheduled_on))
    from new_rows n
    join old_rows o on o.tenant_id = n.tenant_id and o.client_id = n.client_id and o.channel = n.channel
                   and o.scheduled_on = n.scheduled_on
    join unnest(client_ids, refs) as c(id, ref) on c.id = n.client_id
    where n.status = 'sent' and o.status <> 'sent'
    group by n.tenant_id;
    return null;
end
$function$;
