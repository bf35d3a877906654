-- delivery_gate: THE check at send time: whether a queued message may go now, must wait for its contact hours, or is refused (and why), by what was recorded since its day was decided.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The day's gate (dunning_plan) decided the message; since then the client may have
-- asked not to be contacted, been closed, put on hold or placed (contact_standing),
-- a hold may have been recorded (contact_hold), a consent revoked or an opt-out
-- recorded (contact_permission, up to `at`), or the client's zone changed. Rules,
-- first that holds: the standing's; hold_<kind>; no_sms_consent; opted_out;
-- contact_hours_ended (`at` is past 21:00 of the message's day in the client's
-- zone now). With no rule, wait_until is the day's 08:00 there when `at` is before
-- it (the sender tries again then), else NULL: send now.
CREATE OR REPLACE FUNCTION public.delivery_gate(for_tenant uuid, for_client uuid, for_channel text, for_address text,
                                                on_day date, at timestamp with time zone)
 RETURNS TABLE(rule text, reason text, wait_until timestamp with time zone, time_zone text)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
DECLARE
    client record;
    hold record;
    permission record;
    hours record;
BEGIN
    SELECT c.ref, c.do_not_contact, c.status, coalesce(c.time_zone, t.time_zone) AS zone,
           public.contact_standing(c.do_not_contact, c.status) AS standing
    INTO client
    FROM public.clients c
    JOIN public.tenants t ON t.id = for_tenant
    WHERE c.tenant_id = for_tenant AND c.id = for_client;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'client_gone'::text, 'the client no longer exists'::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    IF client.standing IS NOT NULL THEN
        RETURN QUERY SELECT client.standing,
            format('client %s %s since the message was queued', client.ref,
                   CASE client.standing WHEN 'do_not_contact' THEN 'asked not to be contacted'
                                        WHEN 'client_closed' THEN 'was closed'
                                        WHEN 'client_on_hold' THEN 'was put on hold'
                                        ELSE 'was placed with an agency' END),
            NULL::timestamptz, client.zone;
        RETURN;
    END IF;
    SELECT h.kind, h.starts_on INTO hold FROM public.contact_hold(for_tenant, for_client, on_day) h;
    IF FOUND THEN
        RETURN QUERY SELECT 'hold_' || hold.kind,
            format('client %s has a %s hold since %s', client.ref, replace(hold.kind, '_', ' '), hold.starts_on),
            NULL::timestamptz, client.zone;
        RETURN;
    END IF;
    SELECT p.granted, p.recorded_at, p.source INTO permission
    FROM public.contact_permission(for_tenant, for_client, for_channel, for_address, at) p;
    IF for_channel = 'sms' AND NOT coalesce(permission.granted, false) THEN
        RETURN QUERY SELECT 'no_sms_consent'::text,
            CASE WHEN permission.recorded_at IS NULL THEN format('no consent to texts recorded for %s', for_address)
                 ELSE format('consent to texts to %s was revoked at %s (%s)', for_address,
                             to_char(permission.recorded_at AT TIME ZONE client.zone, 'YYYY-MM-DD HH24:MI'),
                             permission.source) END,
            NULL::timestamptz, client.zone;
        RETURN;
    END IF;
    IF permission.granted = false THEN
        RETURN QUERY SELECT 'opted_out'::text,
            format('%s opted out of %s at %s (%s)', coalesce(for_address, 'the client'), for_channel,
                   to_char(permission.recorded_at AT TIME ZONE client.zone, 'YYYY-MM-DD HH24:MI'), permission.source),
            NULL::timestamptz, client.zone;
        RETURN;
    END IF;
    SELECT h.opens_at, h.closes_at INTO hours FROM public.dunning_contact_hours(on_day, client.zone) h;
    IF at >= hours.closes_at THEN
        RETURN QUERY SELECT 'contact_hours_ended'::text,
            format('the contact hours of %s in %s ended at 21:00 before it could be sent', on_day, client.zone),
            NULL::timestamptz, client.zone;
        RETURN;
    END IF;
    RETURN QUERY SELECT NULL::text, NULL::text, CASE WHEN at < hours.opens_at THEN hours.opens_at END, client.zone;
END
$function$;
