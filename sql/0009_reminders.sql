-- 0009_reminders.sql: the reminders the daily worker queues before and after
-- due dates.
--
-- A tenant sets the days, relative to the due date, on which an open invoice
-- gets a reminder: reminder_offsets, default {-3,1,7,14,30} (three days before
-- it falls due, then 1, 7, 14 and 30 days past due). Each tenant day queues the
-- reminders scheduled for that day, in the same transaction as the rest of the
-- day (0006), for every invoice that on that day
--   * is issued, not voided, and still owes something (the balance of
--     report_invoice_balances: amount + charges - applications of payments not
--     reversed by then - write-offs, all dated on or before the day),
--   * is not under an open dispute,
--   * belongs to an active client (not on hold, with an agency or closed) who
--     has not asked not to be contacted,
-- and, for the reminders after the due date only, whose client has no promise
-- to pay still running (made on or before the day, its date plus the tenant's
-- grace not yet passed): the collector has an arrangement, a dunning letter
-- would undercut it.
--
-- A reminder is keyed by (tenant, invoice, offset): a rerun or a backfill
-- queues nothing twice and leaves equal rows. It records the channel to use
-- (the client's preferred one when it is one a reminder can go by, else email,
-- sms or letter by what the client has) and the balance it is about. Sending is
-- not done here: what sends a reminder records it as a contact note.

CREATE FUNCTION reminder_offsets_valid(offsets int[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    select coalesce(
        cardinality(offsets) = 0
        or (array_ndims(offsets) = 1
            and cardinality(offsets) <= 12
            and array_position(offsets, null) is null
            and not exists (select 1 from unnest(offsets) o where o not between -60 and 365)
            and (select count(distinct o) from unnest(offsets) o) = cardinality(offsets)),
        false)
$$;

ALTER TABLE tenants
    ADD COLUMN reminder_offsets int[] NOT NULL DEFAULT '{-3,1,7,14,30}'
        CHECK (reminder_offsets_valid(reminder_offsets));

CREATE TABLE reminders (
    tenant_id     uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invoice_id    uuid    NOT NULL,
    offset_days   int     NOT NULL CHECK (offset_days BETWEEN -60 AND 365),
    client_id     uuid    NOT NULL,
    scheduled_on  date    NOT NULL,
    channel       text    NOT NULL CHECK (channel IN ('call', 'email', 'sms', 'letter', 'visit', 'portal')),
    currency      char(3) NOT NULL,
    balance_minor bigint  NOT NULL CHECK (balance_minor > 0),
    PRIMARY KEY (tenant_id, invoice_id, offset_days),
    CONSTRAINT reminders_invoice_fkey FOREIGN KEY (tenant_id, client_id, invoice_id)
        REFERENCES invoices (tenant_id, client_id, id) ON DELETE CASCADE
);

CREATE INDEX reminders_day_idx ON reminders (tenant_id, scheduled_on);

ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reminders
    USING (tenant_id = (SELECT current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT current_tenant_id()));
CREATE POLICY tenant_active ON reminders AS RESTRICTIVE TO collections_app
    USING ((SELECT current_tenant_is_active()))
    WITH CHECK ((SELECT current_tenant_is_active()));
REVOKE ALL ON reminders FROM collections_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON reminders TO collections_app;

-- Queues the current tenant's reminders scheduled on as_of; returns how many
-- were queued (none on a rerun). PL/pgSQL, planned once per worker connection
-- like the other worker_* functions; the tenant is an initplan (0008).
CREATE FUNCTION worker_queue_reminders(as_of date, grace_days int) RETURNS int
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    queued int;
BEGIN
    WITH due AS MATERIALIZED (
        SELECT i.id, i.client_id, i.currency, i.amount_minor, o.offset_days
        FROM public.tenants t
        CROSS JOIN LATERAL unnest(t.reminder_offsets) AS o(offset_days)
        JOIN public.invoices i
          ON i.tenant_id = (SELECT public.current_tenant_id())
         AND i.due_on = as_of - o.offset_days
         AND i.issued_on <= as_of
         AND (i.voided_on IS NULL OR i.voided_on > as_of)
        WHERE t.id = (SELECT public.current_tenant_id())
    )
    INSERT INTO public.reminders (tenant_id, invoice_id, offset_days, client_id, scheduled_on, channel,
                                  currency, balance_minor)
    SELECT (SELECT public.current_tenant_id()), d.id, d.offset_days, d.client_id, as_of,
           CASE WHEN c.preferred_channel IS NOT NULL AND c.preferred_channel NOT IN ('visit', 'portal')
                THEN c.preferred_channel
                WHEN c.email IS NOT NULL THEN 'email'
                WHEN c.phone IS NOT NULL THEN 'sms'
                ELSE 'letter' END,
           d.currency, b.balance_minor
    FROM due d
    JOIN public.clients c
      ON c.tenant_id = (SELECT public.current_tenant_id()) AND c.id = d.client_id
     AND c.status = 'active' AND NOT c.do_not_contact
    CROSS JOIN LATERAL (
        SELECT d.amount_minor
               + coalesce((SELECT sum(ch.amount_minor) FROM public.invoice_charges ch
                           WHERE ch.tenant_id = (SELECT public.current_tenant_id()) AND ch.invoice_id = d.id
                             AND ch.charged_on <= as_of), 0)
               - coalesce((SELECT sum(pa.amount_minor) FROM public.payment_applications pa
                           WHERE pa.tenant_id = (SELECT public.current_tenant_id()) AND pa.invoice_id = d.id
                             AND pa.applied_on <= as_of
                             AND NOT EXISTS (
                                 SELECT FROM public.payments p
                                 WHERE p.tenant_id = (SELECT public.current_tenant_id()) AND p.id = pa.payment_id
                                   AND p.reversed_on <= as_of)), 0)
               - coalesce((SELECT sum(wo.amount_minor) FROM public.write_offs wo
                           WHERE wo.tenant_id = (SELECT public.current_tenant_id()) AND wo.invoice_id = d.id
                             AND wo.written_off_on <= as_of), 0) AS balance_minor
    ) b
    WHERE b.balance_minor > 0
      AND NOT EXISTS (
          SELECT FROM public.disputes ds
          WHERE ds.tenant_id = (SELECT public.current_tenant_id()) AND ds.invoice_id = d.id
            AND ds.opened_on <= as_of AND (ds.resolved_on IS NULL OR ds.resolved_on > as_of))
      AND (d.offset_days <= 0 OR NOT EXISTS (
          SELECT FROM public.contact_notes n
          JOIN public.tenants t ON t.id = (SELECT public.current_tenant_id())
          WHERE n.tenant_id = (SELECT public.current_tenant_id()) AND n.client_id = d.client_id
            AND n.outcome = 'promise_to_pay'
            AND (n.noted_at AT TIME ZONE t.time_zone)::date <= as_of
            AND n.promise_date + grace_days >= as_of))
    ON CONFLICT (tenant_id, invoice_id, offset_days) DO NOTHING;
    GET DIAGNOSTICS queued = ROW_COUNT;
    RETURN queued;
END
$fn$;
