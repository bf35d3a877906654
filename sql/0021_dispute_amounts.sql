-- 0021_dispute_amounts.sql: disputes with an amount, a reason code and an outcome
-- (issue 16, item 3).
--
-- A dispute holds its amount out of the collectible balance while it is open:
-- the disputed part of an invoice at D is the least of its balance and the
-- amounts of its disputes open at D (report_disputed_minor). Ageing reports that
-- part as disputed; late fees and dunning see only the rest.
--
-- A dispute is resolved upheld (the lender agrees: a credit note or a write-off of
-- what it held, dated the resolution, is written and linked; the outcome says
-- which, also when nothing was left owing to write) or rejected (the amount is
-- collectible again). Disputes resolved before this migration keep their
-- resolution text and no outcome. Credit notes are write_offs of kind
-- 'credit_note': they take money off a balance like a write-off, but they are
-- not bad debt, and they do not end the invoice's dunning.

ALTER TABLE write_offs ADD COLUMN kind text NOT NULL DEFAULT 'write_off'
    CONSTRAINT write_offs_kind_check CHECK (kind IN ('write_off', 'credit_note'));

ALTER TABLE disputes
    ADD COLUMN amount_minor bigint CONSTRAINT disputes_amount_check CHECK (amount_minor > 0),
    ADD COLUMN reason_code text NOT NULL DEFAULT 'other'
        CONSTRAINT disputes_reason_code_check
        CHECK (reason_code IN ('pricing', 'goods_or_service', 'already_paid', 'not_mine', 'fraud', 'other')),
    -- Upheld as a credit note or a write-off, or rejected.
    ADD COLUMN outcome text CONSTRAINT disputes_outcome_check CHECK (outcome IN ('credit_note', 'write_off', 'rejected')),
    ADD COLUMN write_off_id uuid,
    ADD CONSTRAINT disputes_write_off_fkey FOREIGN KEY (tenant_id, write_off_id)
        REFERENCES write_offs (tenant_id, id),
    ADD CONSTRAINT disputes_outcome_resolved_check CHECK (
        (outcome IS NULL OR resolved_on IS NOT NULL)
        AND (write_off_id IS NULL OR outcome IN ('credit_note', 'write_off')));

-- A dispute opened before amounts existed disputed the whole invoice: its amount
-- becomes the invoice's amount plus every charge it ever had, which no balance of
-- it exceeds, so it still holds all of it. Forced row-level security holds for
-- the migration too: each tenant's rows are written with that tenant set.
DO $backfill$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        UPDATE disputes d
        SET amount_minor = i.amount_minor
            + coalesce((SELECT sum(ch.amount_minor) FROM invoice_charges ch
                        WHERE ch.tenant_id = t.id AND ch.invoice_id = d.invoice_id), 0)
        FROM invoices i
        WHERE d.tenant_id = t.id AND i.tenant_id = t.id AND i.id = d.invoice_id;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$backfill$;

ALTER TABLE disputes ALTER COLUMN amount_minor SET NOT NULL;

-- The open disputes of an invoice are read with their amounts.
DROP INDEX disputes_invoice_idx;
CREATE INDEX disputes_invoice_idx ON disputes (tenant_id, invoice_id)
    INCLUDE (opened_on, resolved_on, amount_minor);
