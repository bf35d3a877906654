-- webhook_emit: THE one place a webhook event is written: once per type and fact key, with a delivery to each of the tenant's endpoints subscribed to its type.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Called in the transaction of the fact (the fact triggers, the worker's day), so
-- the event commits or rolls back with its fact and is never sent for a fact that
-- did not happen. The fact key makes a second write of the same fact (a rerun, a
-- replayed request) write nothing. An endpoint subscribes to a type when its
-- event_types list it or are empty. An active endpoint's delivery is pending, due
-- at once; a disabled endpoint's is failed at once, so that a replay after the
-- endpoint is mended (WebhookEndpoints.replay) sends what it missed meanwhile.
-- With no endpoint subscribed nothing is written: an event nobody is to hear of
-- would only take room. Returns the event's id, NULL when nothing was written.
CREATE OR REPLACE FUNCTION public.webhook_emit(for_tenant uuid, event_type text, payload jsonb, fact text)
 RETURNS uuid
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
        SELECT for_tenant, event_type, fact, payload
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
    SELECT v.id FROM event v
$function$;
