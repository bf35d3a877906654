-- contact_next_allowed: When a collector may next call a client, from an instant on: the contact gate's client rules, for the worklist.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- allowed_at NULL: not at all while the rule holds (do_not_contact, client_closed,
-- placed_with_agency, or a hold without an end: contact_hold). Else the first
-- instant from `at` that is within the contact hours (dunning_contact_hours) of the
-- client's zone, on or after the end of an ending hold and, for a consumer, the
-- call rules (contact_calls, about any of the client's debts): 7 days from the
-- last conversation, 7 days after the 7th-latest of 7 attempts in 7 days. rule
-- names what moved it (quiet_hours when only the hours did; NULL: now is fine).
-- The rules are read as of on_day in the client's zone; `at` NULL asks about the
-- day as a whole (from its contact hours' opening), for a day not today.
CREATE OR REPLACE FUNCTION public.contact_next_allowed(for_tenant uuid, for_client uuid, on_day date,
                                                       at timestamp with time zone)
 RETURNS TABLE(allowed_at timestamp with time zone, time_zone text, rule text)
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
    c record;
    h record;
    calls record;
    zone text;
    today date;
    earliest date;
    why text;
    candidate timestamptz;
    hours record;
begin
    select cl.status, cl.do_not_contact, coalesce(cl.kind, t.client_kind) as kind,
           coalesce(cl.time_zone, t.time_zone) as zone, t.time_zone as tenant_zone
      into c
      from public.clients cl join public.tenants t on t.id = for_tenant
     where cl.tenant_id = for_tenant and cl.id = for_client;
    if not found then
        return;
    end if;
    zone := c.zone;
    today := on_day;
    if c.do_not_contact then
        return query select null::timestamptz, zone, 'do_not_contact'::text;
        return;
    elsif c.status = 'closed' then
        return query select null::timestamptz, zone, 'client_closed'::text;
        return;
    elsif c.status = 'agency' then
        return query select null::timestamptz, zone, 'placed_with_agency'::text;
        return;
    end if;
    earliest := today;
    select * into h from public.contact_hold(for_tenant, for_client, today);
    if h.kind is not null then
        if h.ends_on is null then
            return query select null::timestamptz, zone, 'hold_' || h.kind;
            return;
        end if;
        earliest := h.ends_on;
        why := 'hold_' || h.kind;
    end if;
    if c.kind = 'consumer' then
        select * into calls from public.contact_calls(for_tenant, for_client, null, today, c.tenant_zone);
        if calls.conversed_on is not null and calls.conversed_on + 7 > earliest then
            earliest := calls.conversed_on + 7;
            why := 'recent_conversation';
        end if;
        if calls.attempts >= 7 and calls.seventh_attempt_on + 7 > earliest then
            earliest := calls.seventh_attempt_on + 7;
            why := 'call_attempt_limit';
        end if;
    end if;
    select * into hours from public.dunning_contact_hours(earliest, zone);
    candidate := greatest(coalesce(at, hours.opens_at), hours.opens_at);
    if candidate >= hours.closes_at then
        select * into hours from public.dunning_contact_hours(earliest + 1, zone);
        candidate := hours.opens_at;
    end if;
    if why is null and at is not null and candidate > at then
        why := 'quiet_hours';
    end if;
    return query select candidate, zone, why;
end
$function$;
