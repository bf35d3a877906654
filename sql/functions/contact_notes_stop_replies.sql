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
--
-- What a statement that reads a table needs of the transition table it takes as
-- arrays, read from the transition table alone first: on Citus the trigger runs
-- on the shard, and a statement that joins the transition table to a distributed
-- table fails there ("executor could not find named tuplestore",
-- deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.contact_notes_stop_replies()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    tenant uuid;
    tenants uuid[];
    client_ids uuid[];
    noted timestamptz[];
begin
    select array_agg(n.tenant_id), array_agg(n.client_id), array_agg(n.noted_at) into tenants, client_ids, noted
    from new_rows n
    where n.channel = 'sms' and n.direction = 'inbound'
      and upper(rtrim(btrim(n.body), '.!')) in ('STOP', 'END', 'QUIT', 'CANCEL', 'UNSUBSCRIBE', 'REVOKE', 'STOPALL',
                                                'OPTOUT');
    if tenants is null then
        return null;
    end if;
    -- A tenant at a time (one, under row-level security), named as a value: Citus
    -- runs such a statement on that tenant's shard.
    foreach tenant in array (select array_agg(distinct t) from unnest(tenants) t) loop
        insert into public.contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
        select tenant, n.client_id, 'sms', c.phone, false, 'STOP reply', n.noted_at
        from unnest(tenants, client_ids, noted) as n(tenant_id, client_id, noted_at)
        join public.clients c on c.tenant_id = tenant and c.id = n.client_id
        where n.tenant_id = tenant;
    end loop;
    return null;
end
$function$;
