-- delivery_gate: THE check at send time: whether a queued message may go now, must wait for its contact hours, or is refused (and why), by what was recorded since its day was decided.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The day's gate (dunning_plan) decided the message; since then the client may have
-- asked not to be contacted, been closed, put on hold or placed (contact_standing),
-- a hold may have been recorded (contact_hold), a consent revoked or an opt-out
-- recorded (contact_permission, up to `at`), or the client's zone changed; and
-- each invoice it is about may have been paid, voided, written off, disputed in
-- full (report_disputed_minor), placed with an agency or put on a payment plan
-- current on its day (the worker's stored decisions: made, not yet defaulted, kept
-- or cancelled), and each plan instalment it reminds of (sql/0024) may be of a
-- plan since cancelled, defaulted or kept (the same stored decisions; what was
-- paid of the instalment since is not looked at: that is plan_instalments_at's,
-- over the whole tenant, too much for every send). Rules, first that holds: the
-- standing's; hold_<kind>; nothing_to_collect (none of its invoices and
-- instalments is still to be collected, each named with why); no_sms_consent; opted_out;
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
    owed record;
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
    SELECT count(*) AS invoices, count(*) FILTER (WHERE x.why IS NULL) AS collectible,
           string_agg(x.number || ' ' || x.why, ', ' ORDER BY x.number) AS why
    INTO owed
    FROM (
        SELECT i.number,
               CASE WHEN i.voided_on <= on_day THEN 'is void'
                    WHEN i.placed_agency_id IS NOT NULL THEN 'is placed with an agency'
                    WHEN b.written_off THEN 'was written off'
                    WHEN b.balance_minor <= 0 THEN 'is paid'
                    WHEN b.balance_minor <= public.report_disputed_minor(b.balance_minor, b.held_minor) THEN 'is disputed'
                    WHEN EXISTS (SELECT 1 FROM public.plan_invoices pi
                                 JOIN public.payment_plans p ON p.tenant_id = for_tenant AND p.id = pi.plan_id
                                 WHERE pi.tenant_id = for_tenant AND pi.invoice_id = i.id AND p.made_on <= on_day
                                   AND (p.cancelled_on IS NULL OR p.cancelled_on > on_day)
                                   AND (p.defaulted_on IS NULL OR p.defaulted_on > on_day)
                                   AND (p.kept_on IS NULL OR p.kept_on > on_day)) THEN 'is on a payment plan'
               END AS why
        FROM public.dunning_message_invoices mi
        JOIN public.invoices i ON i.tenant_id = for_tenant AND i.id = mi.invoice_id
        -- The balance, disputes and write-offs of this invoice (report_invoice_entries_at).
        CROSS JOIN LATERAL (
            SELECT i.amount_minor + x.delta_minor AS balance_minor, x.held_minor, x.written_off
            FROM public.report_invoice_entries_at(for_tenant, i.id, on_day) x
        ) b
        WHERE mi.tenant_id = for_tenant AND mi.client_id = for_client AND mi.channel = for_channel
          AND mi.scheduled_on = on_day
        UNION ALL
        -- The plan instalments it reminds of (sql/0024): moot once their plan is no
        -- longer current on the day, by the worker's stored decisions.
        SELECT format('instalment %s of plan %s', mn.seq, mn.plan_id),
               CASE WHEN p.cancelled_on <= on_day THEN 'is of a cancelled plan'
                    WHEN p.defaulted_on <= on_day THEN 'is of a defaulted plan'
                    WHEN p.kept_on <= on_day THEN 'is of a kept plan'
               END
        FROM public.dunning_message_instalments mn
        JOIN public.payment_plans p ON p.tenant_id = for_tenant AND p.id = mn.plan_id
        WHERE mn.tenant_id = for_tenant AND mn.client_id = for_client AND mn.channel = for_channel
          AND mn.scheduled_on = on_day
    ) x;
    IF owed.invoices > 0 AND owed.collectible = 0 THEN
        RETURN QUERY SELECT 'nothing_to_collect'::text,
            format('nothing it is about is still to be collected on %s: %s', on_day, owed.why),
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
