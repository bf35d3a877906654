-- 0019_agency_keys.sql: an agency's API keys, and its writes held to its placed
-- accounts by keys the database checks (DESIGN.md "Payment plans and agencies").
--
-- 1. api_keys.agency_id: a key issued for an agency (`agency key SLUG NAME`) opens
--    only that agency's view of the tenant: its requests run as
--    collections_agency with app.agency_id set (CollectionsDatabase.withTenant).
--    The key's format and verification are the tenant's keys' (ApiKeys).
-- 2. 0018's policies check the mark a written row carries (its default, the
--    agency set), not the client it names: a policy may hold no subquery (Citus),
--    and a foreign key check does not see row-level security. So a note or
--    consent carrying an agency's mark must name a client (and an invoice) that
--    carries the same mark: a foreign key on (tenant_id, client_id,
--    placed_agency_id), MATCH SIMPLE, so the lender's rows (no mark) are not
--    checked. Recall clears the marks of the rows before the client's.

ALTER TABLE api_keys ADD COLUMN agency_id uuid;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_agency_fkey FOREIGN KEY (tenant_id, agency_id)
    REFERENCES agencies (tenant_id, id);

ALTER TABLE clients ADD CONSTRAINT clients_placed_agency_key UNIQUE (tenant_id, id, placed_agency_id);
ALTER TABLE invoices ADD CONSTRAINT invoices_placed_agency_key UNIQUE (tenant_id, id, placed_agency_id);
ALTER TABLE contact_notes ADD CONSTRAINT contact_notes_placed_client_fkey
    FOREIGN KEY (tenant_id, client_id, placed_agency_id) REFERENCES clients (tenant_id, id, placed_agency_id);
ALTER TABLE contact_notes ADD CONSTRAINT contact_notes_placed_invoice_fkey
    FOREIGN KEY (tenant_id, invoice_id, placed_agency_id) REFERENCES invoices (tenant_id, id, placed_agency_id);
ALTER TABLE contact_permissions ADD CONSTRAINT contact_permissions_placed_client_fkey
    FOREIGN KEY (tenant_id, client_id, placed_agency_id) REFERENCES clients (tenant_id, id, placed_agency_id);
