-- Included by isolation_smoke.sql: one row in every tenant table for the tenant
-- set in app.tenant_id (as collections_app). smoke.seeding names it ('a'/'b').
DO $seed$
DECLARE
    who       text := current_setting('smoke.seeding');
    tenant    uuid := current_tenant_id();
    client    uuid;
    invoice   uuid;
    payment   uuid;
    n         int;
BEGIN
    IF tenant IS NULL THEN
        RAISE EXCEPTION 'seed: no tenant set';
    END IF;

    INSERT INTO api_keys (tenant_id, prefix, secret_hash, label)
    VALUES (tenant, 'smokekey1', sha256('smoke secret'::bytea), 'smoke');

    INSERT INTO clients (tenant_id, ref, name, email, payment_terms_days, credit_limit_minor, currency)
    VALUES (tenant, 'C-1', 'Smoke client', 'ap@example.com', 30, 1000000, 'USD')
    RETURNING id INTO client;
    IF who = 'b' THEN
        INSERT INTO clients (tenant_id, ref, name) VALUES (tenant, 'SMOKE-B-ONLY', 'Only B has this ref');
    END IF;

    INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on,
                          late_fee_policy, late_fee_percent_bp)
    VALUES (tenant, client, 'INV-1', 'USD', 10000, '2013-01-01', '2013-01-31', 'percent', 150)
    RETURNING id INTO invoice;

    INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key)
    VALUES (tenant, invoice, 'late_fee', 150, '2013-02-28', '2013-02');
    -- accrual is idempotent on (tenant, invoice, kind, period_key)
    INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key)
    VALUES (tenant, invoice, 'late_fee', 150, '2013-02-28', '2013-02')
    ON CONFLICT (tenant_id, invoice_id, kind, period_key) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 0 THEN RAISE EXCEPTION 'FAIL seed: duplicate accrual was stored'; END IF;

    INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, method)
    VALUES (tenant, client, 'PAY-1', 'USD', 5000, '2013-02-15', 'wire')
    RETURNING id INTO payment;

    INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
    VALUES (tenant, payment, invoice, 5000, '2013-02-15');

    INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
    VALUES (tenant, invoice, 100, '2013-06-30', 'smoke');

    INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason)
    VALUES (tenant, invoice, 100, '2013-02-01', 'smoke');

    INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, author, body,
                               outcome, promise_amount_minor, promise_currency, promise_date, satisfaction)
    VALUES (tenant, client, invoice, '2013-02-10 10:00+00', 'call', 'smoke', 'Promised half by March.',
            'promise_to_pay', 5000, 'USD', '2013-03-01', 4);

    INSERT INTO idempotency_keys (tenant_id, key, request_hash, response)
    VALUES (tenant, 'PAY-1', sha256('request'::bytea), '{"payment": "smoke"}');
    -- claiming the same key again does nothing
    INSERT INTO idempotency_keys (tenant_id, key, request_hash)
    VALUES (tenant, 'PAY-1', sha256('request'::bytea))
    ON CONFLICT (tenant_id, key) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 0 THEN RAISE EXCEPTION 'FAIL seed: idempotency key claimed twice'; END IF;

    INSERT INTO audit_log (tenant_id, actor, action, entity, entity_id, after)
    VALUES (tenant, 'smoke', 'seed', 'client', client::text, '{"ref": "C-1"}');

    PERFORM set_config('smoke.' || who || '_client', client::text, false),
            set_config('smoke.' || who || '_invoice', invoice::text, false),
            set_config('smoke.' || who || '_payment', payment::text, false);
END
$seed$;
