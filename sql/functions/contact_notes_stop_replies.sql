-- contact_notes_stop_replies: Trigger, once per insert statement: an inbound SMS whose text is a stop word revokes the client's consent to texts at the note's time.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The stop words are the carriers' (CTIA): STOP, END, QUIT, CANCEL, UNSUBSCRIBE,
-- REVOKE, STOPALL and OPTOUT, in any case, alone in the message but for blanks and
-- a final full stop or exclamation mark. The revocation is about the client's
-- phone number then (NULL, every number, when it has none), sourced "STOP reply".
-- The tenant is each row's own (never the setting).
CREATE OR REPLACE FUNCTION public.contact_notes_stop_replies()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
    insert into public.contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
    select n.tenant_id, n.client_id, 'sms', c.phone, false, 'STOP reply', n.noted_at
    from new_rows n
    join public.clients c on c.tenant_id = n.tenant_id and c.id = n.client_id
    where n.channel = 'sms' and n.direction = 'inbound'
      and upper(rtrim(btrim(n.body), '.!')) in ('STOP', 'END', 'QUIT', 'CANCEL', 'UNSUBSCRIBE', 'REVOKE', 'STOPALL',
                                                'OPTOUT');
    return null;
end
$function$;
