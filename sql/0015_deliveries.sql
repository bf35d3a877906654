-- 0015_deliveries.sql: the outbox the sender works from, the tenants' templates,
-- and what SMS providers tell us back (DESIGN.md "Deliveries and webhooks").
--
-- 1. dunning_messages is the outbox of messages: the worker's day transaction
--    writes each (sql/functions/worker_queue_dunning.sql), keyed by tenant,
--    client, channel and day (and its step), and the sender changes only its
--    delivery state: queued until sent, failed (with the rule and reason) after a
--    permanent refusal or the retry limit, suppressed when the contact gate
--    refuses it at send time (sql/functions/delivery_gate.sql), or a task for a
--    collector (letters and calls go on the worklist, never to a provider).
--    next_attempt_at is when the next try may start (NULL: the message's
--    send_from); a claim is a row lock (FOR UPDATE SKIP LOCKED) held while the
--    message is sent, so two live senders never send one row.
-- 2. message_templates: a tenant's own wording per template name (the dunning
--    steps name them); a name with no row uses the built-in wording.
-- 3. tenants.email_from: the lender's sending address.
-- 4. sms_callbacks: every provider callback handled (a delivery receipt or an
--    inbound text), by the provider's id for it, so a retried callback changes
--    nothing twice.

ALTER TABLE dunning_messages
    ADD COLUMN status          text        NOT NULL DEFAULT 'queued'
                               CHECK (status IN ('queued', 'sent', 'failed', 'suppressed', 'task')),
    ADD COLUMN attempts        int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at timestamptz,
    -- Why it was failed or suppressed: a rule word and a sentence.
    ADD COLUMN rule            text        CHECK (char_length(rule) BETWEEN 1 AND 64),
    ADD COLUMN reason          text        CHECK (char_length(reason) BETWEEN 1 AND 2000),
    ADD COLUMN last_error      text        CHECK (char_length(last_error) BETWEEN 1 AND 2000),
    ADD COLUMN sent_at         timestamptz,
    -- The provider's id of a sent SMS, and the last delivery receipt for it.
    ADD COLUMN provider_id     text        CHECK (char_length(provider_id) BETWEEN 1 AND 200),
    ADD COLUMN receipt         text        CHECK (char_length(receipt) BETWEEN 1 AND 64),
    ADD COLUMN receipt_at      timestamptz,
    -- The outbound contact note the sent message became.
    ADD COLUMN note_id         uuid,
    -- The secret of the email's opt-out link.
    ADD COLUMN opt_out_token   text        NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '')
                               CHECK (char_length(opt_out_token) BETWEEN 16 AND 64),
    ADD CONSTRAINT dunning_messages_note_fkey FOREIGN KEY (tenant_id, note_id)
        REFERENCES contact_notes (tenant_id, id) ON DELETE SET NULL (note_id),
    ADD CONSTRAINT dunning_messages_sent_at_check CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    ADD CONSTRAINT dunning_messages_final_check CHECK ((status IN ('failed', 'suppressed')) = (rule IS NOT NULL));

UPDATE dunning_messages SET status = 'task' WHERE channel IN ('letter', 'call');

-- The sender's claim: a tenant's queued messages by when they may go.
CREATE INDEX dunning_messages_outbox_idx ON dunning_messages (tenant_id, (coalesce(next_attempt_at, send_from)))
    WHERE status = 'queued';
CREATE UNIQUE INDEX dunning_messages_opt_out_idx ON dunning_messages (tenant_id, opt_out_token);
CREATE UNIQUE INDEX dunning_messages_provider_idx ON dunning_messages (tenant_id, provider_id)
    WHERE provider_id IS NOT NULL;

CREATE TABLE message_templates (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    -- Mustache; each checked to render when set (Delivery's MessageTemplates).
    subject    text        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 500),
    text_body  text        NOT NULL CHECK (char_length(text_body) BETWEEN 1 AND 20000),
    html_body  text        CHECK (char_length(html_body) BETWEEN 1 AND 100000),
    sms_body   text        NOT NULL CHECK (char_length(sms_body) BETWEEN 1 AND 1000),
    updated_by text        NOT NULL CHECK (char_length(updated_by) BETWEEN 1 AND 200),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

ALTER TABLE tenants
    ADD COLUMN email_from text CHECK (email_from ~ '^[^@\s<>]+@[^@\s<>]+$' AND char_length(email_from) <= 254);

CREATE TABLE sms_callbacks (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('receipt', 'inbound')),
    provider_id text        NOT NULL CHECK (char_length(provider_id) BETWEEN 1 AND 200),
    -- For a receipt, the status it reported (several arrive per message).
    status      text        NOT NULL DEFAULT '' CHECK (char_length(status) <= 64),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind, provider_id, status)
);

-- The tenancy recipe of 0012 for every new table.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['message_templates', 'sms_callbacks']
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
