-- webhook_promise_payload: What a promise.broken event tells a lender of a promise: whose, how much by when, what was paid, and when it broke.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.webhook_promise_payload(for_tenant uuid, promise_note uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
    SELECT jsonb_build_object('note_id', n.id, 'client_ref', c.ref, 'currency', n.promise_currency,
                              'promised_minor', n.promise_amount_minor, 'promise_date', n.promise_date,
                              'paid_minor', o.paid_minor, 'broken_on', o.decided_on)
    FROM public.promise_outcomes o
    JOIN public.contact_notes n ON n.tenant_id = for_tenant AND n.id = o.note_id
    JOIN public.clients c ON c.tenant_id = for_tenant AND c.id = o.client_id
    WHERE o.tenant_id = for_tenant AND o.note_id = promise_note
$function$;
