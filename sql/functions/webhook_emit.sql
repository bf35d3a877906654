-- webhook_emit: THE one place webhook events are written: a set of facts of one type, each once per fact key, with a delivery to each of the tenant's endpoints subscribed to the type.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Called in the transaction of the facts (the fact triggers, the worker's day), so
-- the events commit or roll back with them and are never sent for facts that did
-- not happen. Set-based, as posting is (one fact is a set of one): a posting of
-- twenty thousand payments is two inserts here, not twenty thousand calls.
-- payloads[i] is the payload of the fact whose key is fact_keys[i]; a key written
-- before (a rerun, a replayed request) writes nothing. An endpoint subscribes to a
-- type when its event_types list it or are empty. An active endpoint's delivery
-- is pending, due at once; a disabled endpoint's is failed at once, so that a
-- replay after the endpoint is mended (WebhookEndpoints.replay) sends what it
-- missed meanwhile. With no endpoint subscribed nothing is written: an event
-- nobody is to hear of would only take room. Returns how many events were written.
--
-- PL/pgSQL, one table per statement, the tenant a value in each: on Citus the
-- fact triggers run this on the shard's worker. The former form, one statement
-- whose CTEs read the endpoints and fed both inserts, made that worker open
-- connections to the coordinator and the other worker (their logs show the
-- transaction's BEGIN and SET LOCAL string replayed), and the import or the
-- worker's day failed: "failure on connection marked as essential". In this
-- form the same import wrote its events and deliveries (deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.webhook_emit(for_tenant uuid, event_type text, payloads jsonb[], fact_keys text[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
    endpoint_ids uuid[];
    endpoint_statuses text[];
    event_ids uuid[];
    deliveries int;
begin
    select array_agg(e.id), array_agg(e.status) into endpoint_ids, endpoint_statuses
    from public.webhook_endpoints e
    where e.tenant_id = for_tenant
      and (e.event_types = '{}' or event_type = any (e.event_types));
    if endpoint_ids is null then
        return 0;
    end if;
    with event as (
        insert into public.webhook_events (tenant_id, type, fact_key, payload)
        select for_tenant, event_type, f.fact_key, f.payload
        from unnest(fact_keys, payloads) as f(fact_key, payload)
        on conflict on constraint webhook_events_fact_key do nothing
        returning id
    )
    select array_agg(v.id) into event_ids from event v;
    if event_ids is null then
        return 0;
    end if;
    -- With RETURNING, as PostgresConnection.insert and the former form: on Citus
    -- an INSERT ... SELECT from arrays without it is a COPY, which row-level
    -- security refuses (the plain form was not tried here). The count is unused.
    with delivery as (
        insert into public.webhook_deliveries (tenant_id, event_id, endpoint_id, status, last_error)
        select for_tenant, v.id, s.id,
               case s.status when 'active' then 'pending' else 'failed' end,
               case s.status when 'active' then null else 'the endpoint was disabled when the event occurred' end
        from unnest(event_ids) as v(id)
        cross join unnest(endpoint_ids, endpoint_statuses) as s(id, status)
        returning 1
    )
    select count(*) into deliveries from delivery;
    return cardinality(event_ids);
end
$function$;
