-- 0017_payment_plans.sql: payment plans (DESIGN.md "Payment plans and agencies").
--
-- A plan covers some of a client's open invoices (plan_invoices, each with the
-- balance it had the day the plan was made) and splits their total into N
-- instalments (plan_instalments, from plan_schedule: equal parts, the remainder
-- on the last). Everything a plan's state is (what it has been paid, which
-- instalment was missed, whether it is current, kept or defaulted at D) follows
-- from dated facts through plan_instalments_at (sql/functions/); the columns the
-- worker writes here (missed_on, defaulted_on, kept_on) record its decisions,
-- each dated the day it took effect, never the day the worker ran, so reruns and
-- backfills write equal rows.

CREATE TABLE payment_plans (
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id         uuid        NOT NULL,
    currency          char(3)     NOT NULL REFERENCES currencies (code),
    total_minor       bigint      NOT NULL CHECK (total_minor > 0),
    instalment_count  int         NOT NULL CHECK (instalment_count BETWEEN 1 AND 120),
    frequency         text        NOT NULL CHECK (frequency IN ('week', '2weeks', 'month')),
    start_on          date        NOT NULL,
    -- The day it was agreed: payments count towards it from this day on.
    made_on           date        NOT NULL,
    cancelled_on      date,
    cancel_reason     text        CHECK (char_length(cancel_reason) BETWEEN 1 AND 1000),
    -- The worker's decisions (worker_decide_plans).
    defaulted_on      date,
    kept_on           date,
    created_by        text        NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 200),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT payment_plans_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id),
    CONSTRAINT payment_plans_dates_check CHECK (
        start_on >= made_on
        AND (cancelled_on IS NULL OR cancelled_on >= made_on)
        AND (cancel_reason IS NULL OR cancelled_on IS NOT NULL)
        AND (defaulted_on IS NULL OR defaulted_on > made_on)
        AND (kept_on IS NULL OR kept_on > made_on))
);

CREATE INDEX payment_plans_client_idx ON payment_plans (tenant_id, client_id, made_on);

CREATE TABLE plan_invoices (
    tenant_id     uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    plan_id       uuid   NOT NULL,
    invoice_id    uuid   NOT NULL,
    -- The invoice's balance the day the plan was made.
    covered_minor bigint NOT NULL CHECK (covered_minor > 0),
    PRIMARY KEY (tenant_id, plan_id, invoice_id),
    CONSTRAINT plan_invoices_plan_fkey FOREIGN KEY (tenant_id, plan_id)
        REFERENCES payment_plans (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT plan_invoices_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id)
);

-- Is this invoice on a plan (the gate, late fees, a new plan's check)?
CREATE INDEX plan_invoices_invoice_idx ON plan_invoices (tenant_id, invoice_id);

CREATE TABLE plan_instalments (
    tenant_id    uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    plan_id      uuid   NOT NULL,
    seq          int    NOT NULL CHECK (seq >= 1),
    due_on       date   NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    -- The worker's decision: the day this instalment was found unpaid (its date
    -- plus grace, plus one) or short again (the reversal of a payment it counted).
    missed_on    date,
    PRIMARY KEY (tenant_id, plan_id, seq),
    CONSTRAINT plan_instalments_plan_fkey FOREIGN KEY (tenant_id, plan_id)
        REFERENCES payment_plans (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT plan_instalments_missed_check CHECK (missed_on IS NULL OR missed_on > due_on)
);

-- Plans in the KPIs: of the plans that ended (kept or defaulted) in the DSO
-- period, the share kept (report_plan_kept, stored by the worker's day).
ALTER TABLE kpi_snapshots
    ADD COLUMN plans_ended    int     NOT NULL DEFAULT 0,
    ADD COLUMN plans_kept     int     NOT NULL DEFAULT 0,
    ADD COLUMN plan_kept_rate numeric;

-- The tenancy recipe of 0012 for a new tenant table, in one place for this
-- migration and the later ones (0014-0016 each spelled it out): row-level
-- security enabled and forced, the registry's and the app's policies, the
-- suspended-tenant statement trigger, the app's and the registry's grants. In a
-- migration, not a function file, because migrations run before the function
-- files are applied; nobody but the owner may run it.
CREATE FUNCTION apply_tenancy_recipe(t regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s TO collections_owner, collections_registry'
        ' USING (tenant_id = current_tenant_id())'
        ' WITH CHECK (tenant_id = current_tenant_id())', t);
    EXECUTE format(
        'CREATE POLICY tenant_active ON %s TO collections_app'
        ' USING (tenant_id = current_active_tenant_id())'
        ' WITH CHECK (tenant_id = current_tenant_id())', t);
    EXECUTE format(
        'CREATE TRIGGER tenant_active BEFORE INSERT ON %s'
        ' FOR EACH STATEMENT EXECUTE FUNCTION refuse_suspended_tenant()', t);
    EXECUTE format('REVOKE ALL ON %s FROM collections_app', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO collections_app', t);
    EXECUTE format('GRANT SELECT ON %s TO collections_registry', t);
END
$$;
REVOKE ALL ON FUNCTION apply_tenancy_recipe(regclass) FROM PUBLIC;

SELECT apply_tenancy_recipe(t)
FROM unnest(ARRAY['payment_plans', 'plan_invoices', 'plan_instalments']::regclass[]) AS t;
