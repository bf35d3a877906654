-- 0014_dunning_and_contact_gate.sql: dunning policies as data, the client facts
-- the contact rules need, and the day's messages and suppressions (DESIGN.md
-- "Dunning and contact rules").
--
-- 1. Client facts. `kind` (consumer or commercial; NULL: the tenant's
--    client_kind), `time_zone` (IANA; NULL: the tenant's), holds with dates
--    (client_holds) and channel permissions (contact_permissions: consents,
--    revocations and opt-outs, an append-only log whose latest row per channel
--    and address decides).
-- 2. A dunning policy is versioned data: dunning_policies (one row a version,
--    never changed) and its ordered dunning_steps, each with a minimum balance per
--    currency (dunning_step_minimums). Every tenant's reminder_offsets become its
--    version 1: one email step per offset. The registry writes a tenant's first
--    version when it creates the tenant.
-- 3. The day's outcome: dunning_messages, one per client, channel and day, with
--    the invoices it is about in dunning_message_invoices; and
--    dunning_suppressions, each invoice and channel the day's steps named but the
--    contact gate refused, with its rule and reason in words. The gate itself is
--    the function file dunning_plan.sql; worker_queue_dunning.sql stores its rows.
--    The reminders queued so far move into the new tables (one email or other
--    message per client, channel and day) and the reminders table goes.

ALTER TABLE tenants
    ADD COLUMN client_kind text NOT NULL DEFAULT 'commercial' CHECK (client_kind IN ('consumer', 'commercial')),
    ADD COLUMN commercial_cap_messages int NOT NULL DEFAULT 2 CHECK (commercial_cap_messages BETWEEN 1 AND 50),
    ADD COLUMN commercial_cap_days int NOT NULL DEFAULT 7 CHECK (commercial_cap_days BETWEEN 1 AND 31);

-- The day's dunning starts from the invoices due a step's offset ago.
CREATE INDEX invoices_due_idx ON invoices (tenant_id, due_on);

ALTER TABLE clients
    ADD COLUMN kind text CHECK (kind IN ('consumer', 'commercial')),
    ADD COLUMN time_zone text CHECK (char_length(time_zone) BETWEEN 1 AND 64);

CREATE TABLE client_holds (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id   uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('cease_communication', 'attorney', 'bankruptcy', 'deceased',
                                                     'dispute_verification')),
    starts_on   date        NOT NULL,
    -- The first day the hold no longer applies; NULL while it runs.
    ends_on     date,
    note        text        CHECK (char_length(note) BETWEEN 1 AND 2000),
    recorded_by text        NOT NULL CHECK (char_length(recorded_by) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT client_holds_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT client_holds_dates_check CHECK (ends_on IS NULL OR ends_on > starts_on)
);
CREATE INDEX client_holds_client_idx ON client_holds (tenant_id, client_id);

CREATE TABLE contact_permissions (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id   uuid        NOT NULL,
    channel     text        NOT NULL CHECK (channel IN ('email', 'sms', 'call', 'letter')),
    -- The address (email or phone) it is about; NULL: every address of the client.
    address     text        CHECK (char_length(address) BETWEEN 1 AND 254),
    granted     boolean     NOT NULL,
    -- Where it came from: "import", "web form", "STOP reply", a collector's name.
    source      text        NOT NULL CHECK (char_length(source) BETWEEN 1 AND 200),
    recorded_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT contact_permissions_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_permissions_client_idx ON contact_permissions (tenant_id, client_id, channel, recorded_at);

CREATE TABLE dunning_policies (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version    int         NOT NULL CHECK (version >= 1),
    created_by text        NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE dunning_steps (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version     int  NOT NULL,
    position    int  NOT NULL CHECK (position BETWEEN 1 AND 50),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    offset_days int  NOT NULL CHECK (offset_days BETWEEN -60 AND 365),
    channel     text NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'call')),
    template    text NOT NULL CHECK (char_length(template) BETWEEN 1 AND 64),
    applies_to  text NOT NULL CHECK (applies_to IN ('consumer', 'commercial', 'both')),
    PRIMARY KEY (tenant_id, version, position),
    CONSTRAINT dunning_steps_policy_fkey FOREIGN KEY (tenant_id, version)
        REFERENCES dunning_policies (tenant_id, version) ON DELETE CASCADE,
    CONSTRAINT dunning_steps_name_key UNIQUE (tenant_id, version, name),
    CONSTRAINT dunning_steps_offset_channel_key UNIQUE (tenant_id, version, offset_days, channel)
);

CREATE TABLE dunning_step_minimums (
    tenant_id     uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version       int     NOT NULL,
    position      int     NOT NULL,
    currency      char(3) NOT NULL REFERENCES currencies (code),
    minimum_minor bigint  NOT NULL CHECK (minimum_minor >= 0),
    PRIMARY KEY (tenant_id, version, position, currency),
    CONSTRAINT dunning_step_minimums_step_fkey FOREIGN KEY (tenant_id, version, position)
        REFERENCES dunning_steps (tenant_id, version, position) ON DELETE CASCADE
);

CREATE TABLE dunning_messages (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id      uuid        NOT NULL,
    channel        text        NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'call')),
    scheduled_on   date        NOT NULL,
    policy_version int         NOT NULL,
    -- The step of the message: the last in the policy's order of those its invoices are at.
    step           text        NOT NULL CHECK (char_length(step) BETWEEN 1 AND 64),
    template       text        NOT NULL CHECK (char_length(template) BETWEEN 1 AND 64),
    -- Where it goes (email address or phone) when the day was decided; NULL for a letter.
    address        text,
    -- The client's zone and the day's contact hours in it, 08:00 to 21:00 there.
    time_zone      text        NOT NULL,
    send_from      timestamptz NOT NULL,
    send_until     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, client_id, channel, scheduled_on),
    CONSTRAINT dunning_messages_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT dunning_messages_policy_fkey FOREIGN KEY (tenant_id, policy_version)
        REFERENCES dunning_policies (tenant_id, version),
    CONSTRAINT dunning_messages_hours_check CHECK (send_from < send_until)
);
CREATE INDEX dunning_messages_day_idx ON dunning_messages (tenant_id, scheduled_on);

CREATE TABLE dunning_message_invoices (
    tenant_id     uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id     uuid    NOT NULL,
    channel       text    NOT NULL,
    scheduled_on  date    NOT NULL,
    invoice_id    uuid    NOT NULL,
    step          text    NOT NULL,
    offset_days   int     NOT NULL,
    currency      char(3) NOT NULL,
    balance_minor bigint  NOT NULL CHECK (balance_minor > 0),
    PRIMARY KEY (tenant_id, client_id, channel, scheduled_on, invoice_id),
    CONSTRAINT dunning_message_invoices_message_fkey FOREIGN KEY (tenant_id, client_id, channel, scheduled_on)
        REFERENCES dunning_messages (tenant_id, client_id, channel, scheduled_on) ON DELETE CASCADE,
    CONSTRAINT dunning_message_invoices_invoice_fkey FOREIGN KEY (tenant_id, client_id, invoice_id)
        REFERENCES invoices (tenant_id, client_id, id) ON DELETE CASCADE
);
CREATE INDEX dunning_message_invoices_day_idx ON dunning_message_invoices (tenant_id, scheduled_on);

CREATE TABLE dunning_suppressions (
    tenant_id      uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id      uuid    NOT NULL,
    channel        text    NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'call')),
    scheduled_on   date    NOT NULL,
    invoice_id     uuid    NOT NULL,
    policy_version int     NOT NULL,
    step           text    NOT NULL,
    offset_days    int     NOT NULL,
    rule           text    NOT NULL CHECK (rule ~ '^[a-z_]{1,40}$'),
    reason         text    NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    currency       char(3) NOT NULL,
    balance_minor  bigint  NOT NULL,
    PRIMARY KEY (tenant_id, client_id, channel, scheduled_on, invoice_id),
    CONSTRAINT dunning_suppressions_invoice_fkey FOREIGN KEY (tenant_id, client_id, invoice_id)
        REFERENCES invoices (tenant_id, client_id, id) ON DELETE CASCADE,
    CONSTRAINT dunning_suppressions_policy_fkey FOREIGN KEY (tenant_id, policy_version)
        REFERENCES dunning_policies (tenant_id, version)
);
CREATE INDEX dunning_suppressions_day_idx ON dunning_suppressions (tenant_id, scheduled_on);

-- The tenancy recipe of 0012 for every new table.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client_holds', 'contact_permissions', 'dunning_policies', 'dunning_steps',
                             'dunning_step_minimums', 'dunning_messages', 'dunning_message_invoices',
                             'dunning_suppressions']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I TO collections_owner, collections_registry'
            ' USING (tenant_id = current_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format(
            'CREATE POLICY tenant_active ON %I TO collections_app'
            ' USING (tenant_id = current_active_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format(
            'CREATE TRIGGER tenant_active BEFORE INSERT ON %I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION refuse_suspended_tenant()', t);
        EXECUTE format('REVOKE ALL ON %I FROM collections_app', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO collections_app', t);
        EXECUTE format('GRANT SELECT ON %I TO collections_registry', t);
    END LOOP;
END
$policies$;

-- The registry writes a new tenant's first policy (TenantRegistry.create).
GRANT INSERT ON dunning_policies, dunning_steps, dunning_step_minimums TO collections_registry;

-- Every tenant's reminder_offsets become its version 1, and its queued reminders
-- the messages of those days; then the reminders table goes (its rows live on in
-- the new tables, grouped). Forced row-level security holds for the migration
-- too: each tenant's rows are written with that tenant set.
DO $backfill$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT id, reminder_offsets FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        INSERT INTO dunning_policies (tenant_id, version, created_by) VALUES (t.id, 1, 'migration 0014');
        INSERT INTO dunning_steps (tenant_id, version, position, name, offset_days, channel, template, applies_to)
        SELECT t.id, 1, row_number() OVER (ORDER BY o), (CASE WHEN o < -1 THEN (-o) || ' days before due' WHEN o = -1 THEN '1 day before due' WHEN o = 0 THEN 'due today' WHEN o = 1 THEN '1 day past due' ELSE o || ' days past due' END), o, 'email',
               CASE WHEN o < 0 THEN 'reminder_before_due' WHEN o = 0 THEN 'reminder_due' ELSE 'reminder_overdue' END,
               'both'
        FROM unnest(t.reminder_offsets) o;

        INSERT INTO dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step, template,
                                      address, time_zone, send_from, send_until)
        SELECT t.id, r.client_id, r.channel, r.scheduled_on, 1, (CASE WHEN max(r.offset_days) < -1 THEN (-max(r.offset_days)) || ' days before due' WHEN max(r.offset_days) = -1 THEN '1 day before due' WHEN max(r.offset_days) = 0 THEN 'due today' WHEN max(r.offset_days) = 1 THEN '1 day past due' ELSE max(r.offset_days) || ' days past due' END),
               CASE WHEN max(r.offset_days) < 0 THEN 'reminder_before_due'
                    WHEN max(r.offset_days) = 0 THEN 'reminder_due' ELSE 'reminder_overdue' END,
               CASE r.channel WHEN 'email' THEN min(c.email) WHEN 'letter' THEN NULL ELSE min(c.phone) END,
               min(tn.time_zone),
               (r.scheduled_on + time '08:00') AT TIME ZONE min(tn.time_zone),
               (r.scheduled_on + time '21:00') AT TIME ZONE min(tn.time_zone)
        FROM reminders r
        JOIN clients c ON c.tenant_id = t.id AND c.id = r.client_id
        JOIN tenants tn ON tn.id = t.id
        WHERE r.tenant_id = t.id AND r.channel IN ('email', 'sms', 'letter', 'call')
        GROUP BY r.client_id, r.channel, r.scheduled_on;

        INSERT INTO dunning_message_invoices (tenant_id, client_id, channel, scheduled_on, invoice_id, step,
                                              offset_days, currency, balance_minor)
        SELECT t.id, r.client_id, r.channel, r.scheduled_on, r.invoice_id, (CASE WHEN r.offset_days < -1 THEN (-r.offset_days) || ' days before due' WHEN r.offset_days = -1 THEN '1 day before due' WHEN r.offset_days = 0 THEN 'due today' WHEN r.offset_days = 1 THEN '1 day past due' ELSE r.offset_days || ' days past due' END),
               r.offset_days, r.currency, r.balance_minor
        FROM reminders r
        WHERE r.tenant_id = t.id AND r.channel IN ('email', 'sms', 'letter', 'call');
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$backfill$;

DROP FUNCTION IF EXISTS worker_queue_reminders(uuid, date, integer);
DROP TABLE reminders;

-- An inbound SMS that says STOP (or stop, end, quit, cancel, unsubscribe, revoke)
-- revokes the client's consent to texts at once, whoever wrote the note. The
-- function's definition lives in sql/functions/contact_notes_stop_replies.sql
-- (applied right after the migrations); this one only lets the trigger exist.
CREATE FUNCTION contact_notes_stop_replies() RETURNS trigger
    LANGUAGE plpgsql
AS $$ BEGIN RETURN NULL; END $$;

CREATE TRIGGER contact_notes_stop_replies
    AFTER INSERT ON contact_notes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contact_notes_stop_replies();
