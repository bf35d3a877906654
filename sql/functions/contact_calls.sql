-- contact_calls: THE telephone record the consumer call rules read: the last conversation's day and the call attempts in the 7 days to a day, about a debt or a client.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Regulation F (12 CFR 1006.14): at most 7 call attempts about a debt in 7
-- consecutive days, and none in the 7 days from a telephone conversation about it
-- (the day of the conversation is the first). A call note counts for a debt when it
-- names the invoice or no invoice (a call about the client is about all its
-- debts); for_invoice NULL counts every call note of the client. An attempt is an
-- outbound call; a conversation a call (either way) whose outcome says someone
-- spoke: promise_to_pay, dispute_raised, payment_arranged, refused or other. Days
-- are notes' days in the zone given (the tenant's: local_date).
-- seventh_attempt_on: the day of the 7th-latest attempt of the 7 days, when there
-- are 7; the next call is allowed 7 days after it.
CREATE OR REPLACE FUNCTION public.contact_calls(for_tenant uuid, for_client uuid, for_invoice uuid, on_day date, zone text)
 RETURNS TABLE(conversed_on date, attempts bigint, seventh_attempt_on date)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select max(n.day) filter (where n.outcome in ('promise_to_pay', 'dispute_raised', 'payment_arranged', 'refused', 'other')),
           count(*) filter (where n.direction = 'outbound' and n.day > on_day - 7),
           (array_agg(n.day order by n.day desc) filter (where n.direction = 'outbound' and n.day > on_day - 7))[7]
    from (
        select cn.outcome, cn.direction, public.local_date(cn.noted_at, zone) as day
        from public.contact_notes cn
        where cn.tenant_id = for_tenant and cn.client_id = for_client and cn.channel = 'call'
          and (for_invoice is null or cn.invoice_id is null or cn.invoice_id = for_invoice)
          and cn.noted_at >= ((on_day - 7)::timestamp at time zone zone)
          and cn.noted_at < ((on_day + 1)::timestamp at time zone zone)
    ) n
$function$;
