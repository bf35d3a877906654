-- 0023_plan_reminders.sql: a payment plan's own reminders, through the dunning
-- policy (issue 16, item 1; DESIGN.md "Payment plans and agencies").
--
-- 1. dunning_steps.reminds: what a step is about. 'invoices' (every step so far):
--    offset_days from an invoice's due date. 'instalments': offset_days from the
--    date of an unpaid instalment of a plan current that day, by email or SMS;
--    the plan's invoices themselves get no dunning while it is current. Two
--    steps may send on the same day by the same channel when one reminds of
--    invoices and the other of instalments.
-- 2. dunning_message_instalments: the instalments a message is about, beside
--    its invoices (dunning_message_invoices), with what was still unpaid of each
--    when the day was decided. A message is still one per client, channel and day.
-- 3. dunning_instalment_suppressions: an instalment reminder the gate refused,
--    with the rule and reason, as dunning_suppressions records invoices'.

ALTER TABLE dunning_steps
    ADD COLUMN reminds text NOT NULL DEFAULT 'invoices' CHECK (reminds IN ('invoices', 'instalments')),
    ADD CONSTRAINT dunning_steps_reminds_channel_check CHECK (reminds = 'invoices' OR channel IN ('email', 'sms')),
    DROP CONSTRAINT dunning_steps_offset_channel_key,
    ADD CONSTRAINT dunning_steps_offset_channel_key UNIQUE (tenant_id, version, reminds, offset_days, channel);

CREATE TABLE dunning_message_instalments (
    tenant_id     uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id     uuid    NOT NULL,
    channel       text    NOT NULL,
    scheduled_on  date    NOT NULL,
    plan_id       uuid    NOT NULL,
    seq           int     NOT NULL,
    step          text    NOT NULL,
    -- Days from the instalment's date: negative before it.
    offset_days   int     NOT NULL,
    currency      char(3) NOT NULL,
    -- What was still unpaid of the instalment when the day was decided.
    balance_minor bigint  NOT NULL CHECK (balance_minor > 0),
    PRIMARY KEY (tenant_id, client_id, channel, scheduled_on, plan_id, seq),
    CONSTRAINT dunning_message_instalments_message_fkey FOREIGN KEY (tenant_id, client_id, channel, scheduled_on)
        REFERENCES dunning_messages (tenant_id, client_id, channel, scheduled_on) ON DELETE CASCADE,
    CONSTRAINT dunning_message_instalments_instalment_fkey FOREIGN KEY (tenant_id, plan_id, seq)
        REFERENCES plan_instalments (tenant_id, plan_id, seq) ON DELETE CASCADE
);
CREATE INDEX dunning_message_instalments_day_idx ON dunning_message_instalments (tenant_id, scheduled_on);

CREATE TABLE dunning_instalment_suppressions (
    tenant_id      uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id      uuid    NOT NULL,
    channel        text    NOT NULL CHECK (channel IN ('email', 'sms')),
    scheduled_on   date    NOT NULL,
    plan_id        uuid    NOT NULL,
    seq            int     NOT NULL,
    policy_version int     NOT NULL,
    step           text    NOT NULL,
    offset_days    int     NOT NULL,
    rule           text    NOT NULL CHECK (rule ~ '^[a-z_]{1,40}$'),
    reason         text    NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    currency       char(3) NOT NULL,
    balance_minor  bigint  NOT NULL,
    PRIMARY KEY (tenant_id, client_id, channel, scheduled_on, plan_id, seq),
    CONSTRAINT dunning_instalment_suppressions_instalment_fkey FOREIGN KEY (tenant_id, plan_id, seq)
        REFERENCES plan_instalments (tenant_id, plan_id, seq) ON DELETE CASCADE,
    CONSTRAINT dunning_instalment_suppressions_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT dunning_instalment_suppressions_policy_fkey FOREIGN KEY (tenant_id, policy_version)
        REFERENCES dunning_policies (tenant_id, version)
);
CREATE INDEX dunning_instalment_suppressions_day_idx ON dunning_instalment_suppressions (tenant_id, scheduled_on);

SELECT apply_tenancy_recipe(t)
FROM unnest(ARRAY['dunning_message_instalments', 'dunning_instalment_suppressions']::regclass[]) AS t;

-- The worker writes both in the tenant's day (worker_queue_dunning), as it writes
-- the invoices' lines; tenant deletion cascades.
