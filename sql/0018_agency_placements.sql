-- 0018_agency_placements.sql: collections agencies, placements, remittances, and
-- the agency's own view of its placed accounts (DESIGN.md "Payment plans and
-- agencies"). 0017 is the payment plans' migration.
--
-- 1. agencies: a tenant's collections agencies, each with its commission in basis
--    points (0..10000).
-- 2. placements: a client's balance, or some of its invoices, handed to an agency
--    on a day; recalled_on ends it. At most one active placement per client, so
--    the client's placed_agency_id is never ambiguous. whole_client: the client's
--    balance was placed (its status becomes 'agency', which takes it out of the
--    lender's dunning and worklist through contact_standing); status_before is
--    the status recall gives back.
-- 3. placement_invoices: which invoices, and each one's balance when placed (what
--    the recovery rate divides by).
-- 4. agency_remittances: a payment the agency reported, posted through the one
--    posting path, with the commission computed on it (agency_commission_minor:
--    half-even, once) and the basis points it was computed with.
-- 5. The agency's scope, enforced by the database: a group role collections_agency
--    (NOLOGIN, no BYPASSRLS, not a member of collections_app). Rows an agency may
--    see carry placed_agency_id: the client and its placed invoices (set by
--    placement, cleared by recall in the same transaction), and the payments,
--    applications, notes and consents the agency writes (their default,
--    current_agency_id(), is NULL for everyone but an agency). Each of those
--    tables gets one plain policy TO collections_agency:
--        tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id()
--    for USING and WITH CHECK alike (no subquery, nothing restrictive: Citus). The
--    active tenant in WITH CHECK is what keeps a suspended tenant's agency from
--    writing (refuse_suspended_tenant() binds collections_app only and its text
--    is pinned by the catalog audit; an agency writes a few rows, so the per-row
--    lookup costs nothing that matters).

-- The agency set for the transaction (SET LOCAL app.agency_id), as app.tenant_id
-- is read by current_tenant_id(). NULL when none is set: no agency row matches.
CREATE FUNCTION current_agency_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    select nullif(current_setting('app.agency_id', true), '')::uuid
$$;

CREATE TABLE agencies (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    commission_bp int         NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT agencies_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE placements (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id     uuid        NOT NULL,
    agency_id     uuid        NOT NULL,
    whole_client  boolean     NOT NULL,
    status_before text        NOT NULL CHECK (status_before IN ('active', 'on_hold', 'agency', 'closed')),
    placed_on     date        NOT NULL,
    recalled_on   date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT placements_client_fkey FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    CONSTRAINT placements_agency_fkey FOREIGN KEY (tenant_id, agency_id) REFERENCES agencies (tenant_id, id),
    CONSTRAINT placements_recalled_check CHECK (recalled_on IS NULL OR recalled_on >= placed_on)
);
-- One active placement per client.
CREATE UNIQUE INDEX placements_active_client_key ON placements (tenant_id, client_id) WHERE recalled_on IS NULL;
CREATE INDEX placements_agency_idx ON placements (tenant_id, agency_id);

CREATE TABLE placement_invoices (
    tenant_id     uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    placement_id  uuid   NOT NULL,
    invoice_id    uuid   NOT NULL,
    currency      char(3) NOT NULL REFERENCES currencies (code),
    placed_minor  bigint NOT NULL CHECK (placed_minor > 0),
    PRIMARY KEY (tenant_id, placement_id, invoice_id),
    CONSTRAINT placement_invoices_placement_fkey FOREIGN KEY (tenant_id, placement_id)
        REFERENCES placements (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT placement_invoices_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id)
);
CREATE INDEX placement_invoices_invoice_idx ON placement_invoices (tenant_id, invoice_id);

CREATE TABLE agency_remittances (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    placement_id     uuid        NOT NULL,
    agency_id        uuid        NOT NULL,
    payment_id       uuid        NOT NULL,
    currency         char(3)     NOT NULL REFERENCES currencies (code),
    amount_minor     bigint      NOT NULL CHECK (amount_minor > 0),
    commission_bp    int         NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000),
    commission_minor bigint      NOT NULL CHECK (commission_minor >= 0 AND commission_minor <= amount_minor),
    received_on      date        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT agency_remittances_payment_key UNIQUE (tenant_id, payment_id),
    CONSTRAINT agency_remittances_placement_fkey FOREIGN KEY (tenant_id, placement_id)
        REFERENCES placements (tenant_id, id),
    CONSTRAINT agency_remittances_agency_fkey FOREIGN KEY (tenant_id, agency_id)
        REFERENCES agencies (tenant_id, id),
    CONSTRAINT agency_remittances_payment_fkey FOREIGN KEY (tenant_id, payment_id)
        REFERENCES payments (tenant_id, id)
);
CREATE INDEX agency_remittances_agency_idx ON agency_remittances (tenant_id, agency_id, currency);

-- The tenancy recipe of 0012 for every new table.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agencies', 'placements', 'placement_invoices', 'agency_remittances']
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

-- What an agency may see and write: the rows carrying its id.
ALTER TABLE clients ADD COLUMN placed_agency_id uuid;
ALTER TABLE invoices ADD COLUMN placed_agency_id uuid;
ALTER TABLE payments ADD COLUMN placed_agency_id uuid DEFAULT current_agency_id();
ALTER TABLE payment_applications ADD COLUMN placed_agency_id uuid DEFAULT current_agency_id();
ALTER TABLE contact_notes ADD COLUMN placed_agency_id uuid DEFAULT current_agency_id();
ALTER TABLE contact_permissions ADD COLUMN placed_agency_id uuid DEFAULT current_agency_id();
CREATE INDEX clients_placed_agency_idx ON clients (tenant_id, placed_agency_id) WHERE placed_agency_id IS NOT NULL;
CREATE INDEX invoices_placed_agency_idx ON invoices (tenant_id, placed_agency_id) WHERE placed_agency_id IS NOT NULL;

DO $agency$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'invoices', 'payments', 'payment_applications', 'contact_notes',
                             'contact_permissions']
    LOOP
        EXECUTE format(
            'CREATE POLICY agency_placed ON %I TO collections_agency'
            ' USING (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id())'
            ' WITH CHECK (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id())', t);
    END LOOP;
END
$agency$;

-- Reads of its accounts; writes of its notes only (and the consent a STOP reply
-- revokes, which the notes' trigger writes). No UPDATE or DELETE anywhere; no
-- reports, imports, webhooks, dunning or templates: those tables are not granted.
GRANT SELECT ON clients, invoices, payments, payment_applications, contact_notes TO collections_agency;
GRANT INSERT ON contact_notes, contact_permissions TO collections_agency;
-- Its tenant's row only (current_active_tenant_id() reads it), and the currencies.
CREATE POLICY tenant_self_agency ON tenants TO collections_agency
    USING (id = current_tenant_id());
GRANT SELECT ON tenants, currencies TO collections_agency;
