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
CREATE OR REPLACE FUNCTION public.webhook_emit(for_tenant uuid, event_type text, payloads jsonb[], fact_keys text[])
 RETURNS integer
 LANGUAGE sql
AS $function$
    WITH subscribed AS MATERIALIZED (
        SELECT e.id, e.status
        FROM public.webhook_endpoints e
        WHERE e.tenant_id = for_tenant
          AND (e.event_types = '{}' OR event_type = ANY (e.event_types))
    ),
    event AS (
        INSERT INTO public.webhook_events (tenant_id, type, fact_key, payload)
        SELECT for_tenant, event_type, f.fact_key, f.payload
        FROM unnest(fact_keys, payloads) AS f(fact_key, payload)
        WHERE EXISTS (SELECT FROM subscribed)
        ON CONFLICT ON CONSTRAINT webhook_events_fact_key DO NOTHING
        RETURNING id
    ),
    deliveries AS (
        INSERT INTO public.webhook_deliveries (tenant_id, event_id, endpoint_id, status, last_error)
        SELECT for_tenant, v.id, s.id,
               CASE s.status WHEN 'active' THEN 'pending' ELSE 'failed' END,
               CASE s.status WHEN 'active' THEN NULL ELSE 'the endpoint was disabled when the event occurred' END
        FROM event v CROSS JOIN subscribed s
        RETURNING 1
    )
    SELECT count(*)::int FROM event
$function$;
