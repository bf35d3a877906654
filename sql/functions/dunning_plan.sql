-- dunning_plan: THE contact gate: every invoice and channel the tenant's dunning policy names for as_of, with the rule that refuses it (NULL: it goes).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A step of the tenant's latest policy that reminds of invoices names an invoice on
-- as_of when the invoice falls due offset_days before as_of, is issued by then, and
-- its client is of the step's kind (consumer or commercial; the tenant's
-- client_kind when the client has none). A step that reminds of instalments
-- (sql/0024) names, the same way, each instalment of a plan current on as_of
-- (plan_instalments_at) dated offset_days before as_of and not yet paid in full,
-- with what is unpaid of it: a line with plan_id and instalment_seq and no
-- invoice_id. Only the client's rules below hold for it (standing, holds, consent,
-- opt-out, address, the commercial cap); the invoice rules are about invoices. Paid invoices are not named (nothing is owed); a void one is, to say why
-- it is refused. Each named invoice and channel gets the first rule that holds, in
-- this order (sql/0014, DESIGN.md "Dunning and contact rules"):
--   invoice_void; do_not_contact; client_closed, client_on_hold, placed_with_agency
--   (the client placed whole, or this invoice placed on its own: sql/0018);
--   a hold that runs on as_of (hold_cease_communication, hold_attorney,
--   hold_bankruptcy, hold_deceased, hold_dispute_verification; any client);
--   invoice_disputed (all of its balance is disputed: report_disputed_minor; a
--   partial dispute leaves the rest to dunning, and every rule below and the
--   message see only the undisputed balance); invoice_written_off (a write-off,
--   not a credit note); plan_current (the invoice is on a
--   payment plan current on as_of: plan_instalments_at); below_minimum (the step's minimum for the
--   currency); promise_running (after the due date only, while a promise to pay
--   made by as_of runs to its date plus grace_days); no_sms_consent (an SMS needs a
--   granted consent, the latest recorded for the client's phone or all its
--   numbers); opted_out (the latest permission recorded for the channel and
--   address is a refusal); no_address; for consumers' calls (Regulation F),
--   recent_conversation (a telephone conversation in the 7 days from its day) and
--   call_attempt_limit (7 call attempts in the last 7 days, about the debt or the
--   client); then, per message (client and channel), commercial_cap for commercial
--   clients past the tenant's cap of messages in commercial_cap_days days (the
--   messages of earlier days counted, then this day's in step order).
-- A note's day is its day in the tenant's zone (local_date); a permission counts
-- when recorded before the end of as_of in the client's zone. The contact hours
-- are dunning_contact_hours in the client's zone (the tenant's when the client has
-- none): send_from and send_until, which the sender checks again at send time.
-- (Dropped first: plan_id and instalment_seq changed its columns, which CREATE OR
-- REPLACE cannot do.)
DROP FUNCTION IF EXISTS public.dunning_plan(uuid, date, integer);
CREATE FUNCTION public.dunning_plan(for_tenant uuid, as_of date, grace_days integer)
 RETURNS TABLE(client_id uuid, channel text, invoice_id uuid, policy_version integer, step text,
               step_position integer, template text, offset_days integer, currency character(3),
               balance_minor bigint, address text, time_zone text, send_from timestamp with time zone,
               send_until timestamp with time zone, rule text, reason text, plan_id uuid, instalment_seq integer)
 LANGUAGE plpgsql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH tenant AS MATERIALIZED (
        SELECT t.time_zone, t.client_kind, t.commercial_cap_messages, t.commercial_cap_days,
               (SELECT max(p.version) FROM public.dunning_policies p WHERE p.tenant_id = for_tenant) AS version
        FROM public.tenants t
        WHERE t.id = for_tenant
    ),
    -- the instalments of the payment plans current on as_of (plan_instalments_at)
    current_plans AS MATERIALIZED (
        SELECT a.* FROM public.plan_instalments_at(for_tenant, as_of, grace_days) a WHERE a.plan_status = 'current'
    ),
    -- their invoices
    on_plan AS MATERIALIZED (
        SELECT pi.invoice_id, s.made_on, s.instalment_count
        FROM (SELECT a.plan_id, min(a.made_on) AS made_on, count(*) AS instalment_count
              FROM current_plans a
              GROUP BY a.plan_id) s
        JOIN public.plan_invoices pi ON pi.tenant_id = for_tenant AND pi.plan_id = s.plan_id
    ),
    named AS MATERIALIZED (
        SELECT i.id AS invoice_id, i.client_id, i.number, i.currency, i.amount_minor, i.voided_on, i.placed_agency_id,
               s.version, s.position, s.name, s.offset_days, s.channel, s.template,
               c.ref, c.status, c.do_not_contact, c.agency_name, c.agency_placed_on,
               coalesce(c.kind, tn.client_kind) AS kind,
               coalesce(c.time_zone, tn.time_zone) AS zone,
               CASE s.channel WHEN 'email' THEN c.email WHEN 'letter' THEN NULL ELSE c.phone END AS address,
               tn.time_zone AS tenant_zone
        FROM tenant tn
        JOIN public.dunning_steps s ON s.tenant_id = for_tenant AND s.version = tn.version AND s.reminds = 'invoices'
        -- By due date (invoices_due_idx), step by step: OFFSET 0 keeps the planner,
        -- which knows nothing of a new policy's steps, from starting at the clients.
        CROSS JOIN LATERAL (
            SELECT iv.id, iv.client_id, iv.number, iv.currency, iv.amount_minor, iv.voided_on, iv.placed_agency_id
            FROM public.invoices iv
            WHERE iv.tenant_id = for_tenant AND iv.due_on = as_of - s.offset_days AND iv.issued_on <= as_of
            OFFSET 0
        ) i
        JOIN public.clients c ON c.tenant_id = for_tenant AND c.id = i.client_id
        WHERE s.applies_to IN ('both', coalesce(c.kind, tn.client_kind))
    ),
    lines AS MATERIALIZED (
        SELECT n.invoice_id, NULL::uuid AS plan_id, NULL::int AS seq, n.client_id, n.number, n.currency,
               n.voided_on, n.placed_agency_id, n.version, n.position, n.name, n.offset_days, n.channel, n.template,
               n.ref, n.status, n.do_not_contact, n.agency_name, n.agency_placed_on, n.kind, n.zone, n.address,
               n.tenant_zone,
               b.balance_minor - public.report_disputed_minor(b.balance_minor, x.held_minor) AS balance_minor,
               x.disputed, x.written_off,
               coalesce(m.minimum_minor, 0) AS minimum_minor, cu.exponent
        FROM named n
        JOIN public.currencies cu ON cu.code = n.currency
        -- The balance, disputes and write-offs of this invoice (report_invoice_entries_at).
        CROSS JOIN LATERAL public.report_invoice_entries_at(for_tenant, n.invoice_id, as_of) x
        CROSS JOIN LATERAL (SELECT n.amount_minor + x.delta_minor AS balance_minor) b
        LEFT JOIN public.dunning_step_minimums m
          ON m.tenant_id = for_tenant AND m.version = n.version AND m.position = n.position
         AND m.currency = n.currency
        -- Named: void, or owing (disputed or not).
        WHERE (n.voided_on <= as_of) OR b.balance_minor > 0
        UNION ALL
        -- The unpaid instalments of current plans that steps reminding of instalments name.
        SELECT NULL::uuid, a.plan_id, a.seq, a.client_id, NULL::text, a.currency,
               NULL::date, NULL::uuid, s.version, s.position, s.name, s.offset_days, s.channel, s.template,
               c.ref, c.status, c.do_not_contact, c.agency_name, c.agency_placed_on,
               coalesce(c.kind, tn.client_kind), coalesce(c.time_zone, tn.time_zone),
               CASE s.channel WHEN 'email' THEN c.email ELSE c.phone END, tn.time_zone,
               a.amount_minor - a.paid_minor, false, false, 0::bigint, cu.exponent
        FROM tenant tn
        JOIN public.dunning_steps s ON s.tenant_id = for_tenant AND s.version = tn.version AND s.reminds = 'instalments'
        JOIN current_plans a ON a.due_on = as_of - s.offset_days AND a.status = 'open' AND a.paid_minor < a.amount_minor
        JOIN public.clients c ON c.tenant_id = for_tenant AND c.id = a.client_id
        JOIN public.currencies cu ON cu.code = a.currency
        WHERE s.applies_to IN ('both', coalesce(c.kind, tn.client_kind))
    ),
    judged AS MATERIALIZED (
        SELECT l.*,
               CASE
                   WHEN l.voided_on <= as_of THEN 'invoice_void'
                   WHEN public.contact_standing(l.do_not_contact, l.status) IS NOT NULL
                       THEN public.contact_standing(l.do_not_contact, l.status)
                   WHEN l.placed_agency_id IS NOT NULL THEN 'placed_with_agency'
                   WHEN h.kind IS NOT NULL THEN 'hold_' || h.kind
                   WHEN l.disputed AND l.balance_minor <= 0 THEN 'invoice_disputed'
                   WHEN l.written_off THEN 'invoice_written_off'
                   WHEN op.invoice_id IS NOT NULL THEN 'plan_current'
                   WHEN l.balance_minor < l.minimum_minor THEN 'below_minimum'
                   WHEN l.offset_days > 0 AND pr.promise_date IS NOT NULL THEN 'promise_running'
                   WHEN l.channel = 'sms' AND l.address IS NOT NULL AND NOT coalesce(pm.granted, false) THEN 'no_sms_consent'
                   WHEN pm.granted = false THEN 'opted_out'
                   WHEN l.address IS NULL AND l.channel <> 'letter' THEN 'no_address'
                   WHEN l.kind = 'consumer' AND l.channel = 'call' AND cl.conversed_on > as_of - 7 THEN 'recent_conversation'
                   WHEN l.kind = 'consumer' AND l.channel = 'call' AND cl.attempts >= 7 THEN 'call_attempt_limit'
               END AS rule,
               h.starts_on AS hold_since, op.made_on AS plan_made_on, op.instalment_count, pr.promise_date, pm.recorded_at AS permission_at,
               pm.source AS permission_source, cl.conversed_on, cl.attempts
        FROM lines l
        LEFT JOIN on_plan op ON op.invoice_id = l.invoice_id
        LEFT JOIN LATERAL (
            SELECT hd.kind, hd.starts_on FROM public.contact_hold(for_tenant, l.client_id, as_of) hd
        ) h ON true
        LEFT JOIN LATERAL (
            SELECT max(pn.promise_date) AS promise_date
            FROM public.contact_notes pn
            WHERE pn.tenant_id = for_tenant AND pn.client_id = l.client_id
              AND pn.outcome = 'promise_to_pay'
              AND public.local_date(pn.noted_at, l.tenant_zone) <= as_of
              AND pn.promise_date + grace_days >= as_of
        ) pr ON l.offset_days > 0 AND l.invoice_id IS NOT NULL
        LEFT JOIN LATERAL (
            SELECT p.granted, p.recorded_at, p.source
            FROM public.contact_permission(for_tenant, l.client_id, l.channel, l.address,
                                           (as_of + 1)::timestamp AT TIME ZONE l.zone) p
        ) pm ON true
        LEFT JOIN LATERAL (
            SELECT cc.conversed_on, cc.attempts
            FROM public.contact_calls(for_tenant, l.client_id, l.invoice_id, as_of, l.tenant_zone) cc
        ) cl ON l.kind = 'consumer' AND l.channel = 'call'
    ),
    -- The messages the line rules let through, ranked per client in step order,
    -- against the client's messages of the cap's earlier days.
    messages AS (
        SELECT j.client_id, j.channel,
               row_number() OVER (PARTITION BY j.client_id ORDER BY min(j.position), j.channel) AS rank_today,
               (SELECT count(*) FROM public.dunning_messages dm
                WHERE dm.tenant_id = for_tenant AND dm.client_id = j.client_id
                  AND dm.scheduled_on > as_of - tn.commercial_cap_days AND dm.scheduled_on < as_of) AS earlier,
               tn.commercial_cap_messages AS cap, tn.commercial_cap_days AS cap_days
        FROM judged j
        CROSS JOIN tenant tn
        WHERE j.rule IS NULL AND j.kind = 'commercial'
        GROUP BY j.client_id, j.channel, tn.commercial_cap_messages, tn.commercial_cap_days
    ),
    capped AS MATERIALIZED (
        SELECT m.client_id, m.channel, m.cap, m.cap_days
        FROM messages m
        WHERE m.earlier + m.rank_today > m.cap
    ),
    ruled AS (
        SELECT j.*, CASE WHEN j.rule IS NULL AND cp.client_id IS NOT NULL THEN 'commercial_cap' ELSE j.rule END AS final_rule,
               cp.cap, cp.cap_days
        FROM judged j
        LEFT JOIN capped cp ON cp.client_id = j.client_id AND cp.channel = j.channel
    )
    SELECT r.client_id, r.channel, r.invoice_id, r.version, r.name, r.position, r.template, r.offset_days,
           r.currency, r.balance_minor, r.address, r.zone,
           hours.opens_at, hours.closes_at,
           r.final_rule,
           CASE r.final_rule
               WHEN 'invoice_void' THEN format('invoice %s was voided on %s', r.number, r.voided_on)
               WHEN 'do_not_contact' THEN format('client %s asked not to be contacted', r.ref)
               WHEN 'client_closed' THEN format('client %s is closed', r.ref)
               WHEN 'client_on_hold' THEN format('client %s is on hold', r.ref)
               WHEN 'placed_with_agency' THEN CASE WHEN r.status = 'agency'
                                                   THEN format('client %s was placed with %s on %s', r.ref,
                                                               coalesce(r.agency_name, 'an agency'), r.agency_placed_on)
                                                   ELSE format('invoice %s is placed with an agency', r.number) END
               WHEN 'hold_cease_communication' THEN format('client %s asked to cease communication on %s', r.ref, r.hold_since)
               WHEN 'hold_attorney' THEN format('client %s is represented by an attorney since %s: contact the attorney, not the client', r.ref, r.hold_since)
               WHEN 'hold_bankruptcy' THEN format('client %s is in bankruptcy since %s', r.ref, r.hold_since)
               WHEN 'hold_deceased' THEN format('client %s is recorded as deceased since %s', r.ref, r.hold_since)
               WHEN 'hold_dispute_verification' THEN format('client %s disputed the debt on %s: no contact until it is verified', r.ref, r.hold_since)
               WHEN 'invoice_disputed' THEN format('invoice %s is disputed', r.number)
               WHEN 'invoice_written_off' THEN format('invoice %s was written off', r.number)
               WHEN 'plan_current' THEN format('invoice %s is on a payment plan of %s instalments made on %s', r.number,
                                               r.instalment_count, r.plan_made_on)
               WHEN 'below_minimum' THEN format('invoice %s owes %s %s, below the step''s minimum of %s %s', r.number,
                                                round(r.balance_minor::numeric / 10::numeric ^ r.exponent, r.exponent), r.currency,
                                                round(r.minimum_minor::numeric / 10::numeric ^ r.exponent, r.exponent), r.currency)
               WHEN 'promise_running' THEN format('client %s promised to pay by %s (grace to %s)', r.ref, r.promise_date,
                                                  r.promise_date + grace_days)
               WHEN 'no_sms_consent' THEN CASE WHEN r.permission_at IS NULL
                                               THEN format('no consent to texts recorded for %s', r.address)
                                               ELSE format('consent to texts to %s was revoked at %s (%s)', r.address,
                                                           to_char(r.permission_at AT TIME ZONE r.zone, 'YYYY-MM-DD HH24:MI'),
                                                           r.permission_source) END
               WHEN 'opted_out' THEN format('%s opted out of %s at %s (%s)', coalesce(r.address, 'the client'), r.channel,
                                            to_char(r.permission_at AT TIME ZONE r.zone, 'YYYY-MM-DD HH24:MI'),
                                            r.permission_source)
               WHEN 'no_address' THEN format('client %s has no %s', r.ref,
                                             CASE r.channel WHEN 'email' THEN 'email address' ELSE 'phone number' END)
               WHEN 'recent_conversation' THEN format('spoke with client %s by phone on %s: no call before %s', r.ref,
                                                      r.conversed_on, r.conversed_on + 7)
               WHEN 'call_attempt_limit' THEN format('%s call attempts about invoice %s in the 7 days to %s (at most 7)',
                                                     r.attempts, r.number, as_of)
               WHEN 'commercial_cap' THEN format('client %s already has %s messages in the %s days to %s (cap %s)', r.ref,
                                                 r.cap, r.cap_days, as_of, r.cap)
           END,
           r.plan_id, r.seq
    FROM ruled r
    CROSS JOIN LATERAL public.dunning_contact_hours(as_of, r.zone) hours;
END
$function$;
