-- 0020_agency_balances.sql: what an agency needs to see its placed invoices'
-- balances and its notes' promises (the balance is report_balance_entries': the
-- charges, applications, write-offs and disputes of an invoice, and the payments
-- the applications belong to).
--
-- The rows of a placed invoice carry the agency's mark as 0018's do: set by
-- placement for the rows that exist then (and for the payments applied to a
-- placed invoice, and the promise outcomes of the client's notes), cleared by
-- recall. Rows the lender or the worker writes on a placed invoice afterwards
-- carry no mark, so the agency's view of a balance is as of the placement plus
-- what the agency itself collected (a trigger copying the invoice's mark would
-- cost a lookup per imported row; see the branch's report).

ALTER TABLE invoice_charges ADD COLUMN placed_agency_id uuid;
ALTER TABLE write_offs ADD COLUMN placed_agency_id uuid;
ALTER TABLE disputes ADD COLUMN placed_agency_id uuid;
ALTER TABLE promise_outcomes ADD COLUMN placed_agency_id uuid;

DO $agency$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['invoice_charges', 'write_offs', 'disputes', 'promise_outcomes']
    LOOP
        EXECUTE format(
            'CREATE POLICY agency_placed ON %I TO collections_agency'
            ' USING (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id())'
            ' WITH CHECK (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id())', t);
        EXECUTE format('GRANT SELECT ON %I TO collections_agency', t);
    END LOOP;
END
$agency$;

-- The audit trail of what an agency writes (its notes): its rows carry its mark
-- (the default, the agency set), which the policy requires; it may add rows and
-- read none.
ALTER TABLE audit_log ADD COLUMN placed_agency_id uuid DEFAULT current_agency_id();
CREATE POLICY agency_placed ON audit_log TO collections_agency
    USING (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id())
    WITH CHECK (tenant_id = current_active_tenant_id() AND placed_agency_id = current_agency_id());
GRANT INSERT ON audit_log TO collections_agency;
