-- webhook_messages_sent: Trigger, once per update statement on dunning_messages: a message.sent event per message whose status became sent, in the sender's transaction.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The fact key is the message's own key (client, channel, day), so a message
-- marked sent twice is told once. The tenant is each row's own (never the setting).
CREATE OR REPLACE FUNCTION public.webhook_messages_sent()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
    if not exists (select from public.webhook_endpoints e
                   where e.tenant_id in (select distinct n.tenant_id from new_rows n where n.status = 'sent')) then
        return null;
    end if;
    perform public.webhook_emit(n.tenant_id, 'message.sent',
                                array_agg(jsonb_build_object('client_ref', c.ref, 'channel', n.channel,
                                                             'scheduled_on', n.scheduled_on, 'step', n.step,
                                                             'sent_at', n.sent_at)),
                                array_agg(n.client_id || '/' || n.channel || '/' || n.scheduled_on))
    from new_rows n
    join old_rows o on o.tenant_id = n.tenant_id and o.client_id = n.client_id and o.channel = n.channel
                   and o.scheduled_on = n.scheduled_on
    join public.clients c on c.tenant_id = n.tenant_id and c.id = n.client_id
    where n.status = 'sent' and o.status <> 'sent'
    group by n.tenant_id;
    return null;
end
$function$;
