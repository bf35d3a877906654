-- constraints_smoke.sql: what must never be stored is refused by the schema.
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f sql/tests/constraints_smoke.sql
--
-- Run as a role that may SET ROLE to collections_owner and collections_app.
-- Each bad row must fail with the expected SQLSTATE; any other outcome raises,
-- so psql exits non-zero. Everything happens in one transaction that is rolled
-- back.

\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;

SET LOCAL ROLE collections_owner;
-- tenant settings
DO $check$
DECLARE
    bad text[] := array['{}', '{0,30}', '{30,30}', '{60,30}', '{30,NULL,90}', '{{30,60},{90,120}}', '{30,40000}'];
    ok  text[] := array['{30,60,90}', '{15}', '{7,14,30,60,90,180,365}'];
    v   text;
BEGIN
    FOREACH v IN ARRAY bad LOOP
        BEGIN
            INSERT INTO tenants (slug, name, time_zone, ageing_bucket_limits)
            VALUES ('c-' || left(md5(random()::text), 8), 'x', 'UTC', v::int[]);
            RAISE EXCEPTION 'FAIL tenants: ageing_bucket_limits % accepted', v;
        EXCEPTION WHEN check_violation THEN NULL;
        END;
    END LOOP;
    FOREACH v IN ARRAY ok LOOP
        INSERT INTO tenants (slug, name, time_zone, ageing_bucket_limits)
        VALUES ('c-' || left(md5(random()::text), 8), 'x', 'UTC', v::int[]);
    END LOOP;
    BEGIN
        INSERT INTO tenants (slug, name, time_zone) VALUES ('Bad_Slug', 'x', 'UTC');
        RAISE EXCEPTION 'FAIL tenants: bad slug accepted';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO tenants (slug, name, time_zone, dso_period_days) VALUES ('c-dso', 'x', 'UTC', 0);
        RAISE EXCEPTION 'FAIL tenants: dso_period_days 0 accepted';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    RAISE NOTICE 'ok: tenant settings';
END
$check$;

SELECT gen_random_uuid() AS t \gset
INSERT INTO tenants (id, slug, name, default_currency, time_zone)
VALUES (:'t', 'constraints-' || left(md5(random()::text), 8), 'Constraints', 'USD', 'UTC');
SELECT set_config('app.tenant_id', :'t', true) \g /dev/null

SET LOCAL ROLE collections_app;
DO $check$
DECLARE
    t uuid := current_tenant_id();
    c uuid;
    i uuid;
    p uuid;
    e uuid;
    stmt text;
    expect text;
    got text;
    cases text[][];
    k int;
BEGIN
    INSERT INTO clients (tenant_id, ref, name) VALUES (t, 'C', 'Client') RETURNING id INTO c;
    INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
    VALUES (t, c, 'I', 'USD', 1000, '2013-01-01', '2013-01-31') RETURNING id INTO i;
    INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
    VALUES (t, c, 'E', 'EUR', 1000, '2013-01-01', '2013-01-31') RETURNING id INTO e;
    INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
    VALUES (t, c, 'P', 'USD', 500, '2013-02-01') RETURNING id INTO p;

    cases := array[
      -- [expected SQLSTATE, statement]
      ['23514', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES (%L, %L, ''I2'', ''USD'', 0, ''2013-01-01'', ''2013-01-31'')', t, c)],
      ['23514', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES (%L, %L, ''I2'', ''USD'', 1, ''2013-01-02'', ''2013-01-01'')', t, c)],
      ['23503', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES (%L, %L, ''I2'', ''ZZZ'', 1, ''2013-01-01'', ''2013-01-01'')', t, c)],
      ['23505', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES (%L, %L, ''I'', ''USD'', 1, ''2013-01-01'', ''2013-01-01'')', t, c)],
      ['23514', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on, late_fee_policy) VALUES (%L, %L, ''I2'', ''USD'', 1, ''2013-01-01'', ''2013-01-01'', ''flat'')', t, c)],
      ['23514', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on, late_fee_percent_bp) VALUES (%L, %L, ''I2'', ''USD'', 1, ''2013-01-01'', ''2013-01-01'', 150)', t, c)],
      ['23514', format('INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES (%L, %L, %L, ''USD'', 1, ''2013-01-01'', ''2013-01-01'')', t, c, repeat('x', 65))],
      ['23514', format('UPDATE invoices SET void_reason = ''why'' WHERE tenant_id = %L AND id = %L', t, i)],
      ['23514', format('INSERT INTO clients (tenant_id, ref, name, status) VALUES (%L, ''C2'', ''x'', ''agency'')', t)],
      ['23514', format('INSERT INTO clients (tenant_id, ref, name, credit_limit_minor) VALUES (%L, ''C2'', ''x'', 100)', t)],
      ['23514', format('INSERT INTO clients (tenant_id, ref, name, payment_terms_days) VALUES (%L, ''C2'', ''x'', -1)', t)],
      ['23514', format('INSERT INTO clients (tenant_id, ref, name) VALUES (%L, ''C2'', %L)', t, repeat('x', 201))],
      ['23514', format('INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on) VALUES (%L, %L, ''P2'', ''USD'', -5, ''2013-02-01'')', t, c)],
      ['23514', format('UPDATE payments SET reversed_on = ''2013-01-01'' WHERE tenant_id = %L AND id = %L', t, p)],
      ['23514', format('INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on) VALUES (%L, %L, %L, 1, ''2013-02-01'')', t, p, e)],
      ['23514', format('INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on) VALUES (%L, %L, %L, 1, ''2013-01-15'')', t, p, i)],
      ['23514', format('INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on) VALUES (%L, %L, %L, 0, ''2013-02-01'')', t, p, i)],
      ['23514', format('INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on) VALUES (%L, %L, ''penalty'', 1, ''2013-02-01'')', t, i)],
      ['23514', format('INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason) VALUES (%L, %L, 0, ''2013-02-01'', ''x'')', t, i)],
      ['23502', format('INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on) VALUES (%L, %L, 1, ''2013-02-01'')', t, i)],
      ['23514', format('INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on) VALUES (%L, %L, 1, ''2013-02-01'', ''x'', ''2013-01-01'')', t, i)],
      ['23514', format('INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason) VALUES (%L, %L, 0, ''2013-02-01'', ''x'')', t, i)],
      ['23514', format('INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, reason_code) VALUES (%L, %L, 1, ''2013-02-01'', ''x'', ''bored'')', t, i)],
      ['23514', format('INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, outcome) VALUES (%L, %L, 1, ''2013-02-01'', ''x'', ''rejected'')', t, i)],
      ['23514', format('INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason, kind) VALUES (%L, %L, 1, ''2013-02-01'', ''x'', ''gift'')', t, i)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, satisfaction) VALUES (%L, %L, now(), ''call'', 6)', t, c)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel) VALUES (%L, %L, now(), ''fax'')', t, c)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome) VALUES (%L, %L, now(), ''call'', ''promise_to_pay'')', t, c)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome, promise_amount_minor, promise_currency, promise_date) VALUES (%L, %L, now(), ''call'', ''refused'', 1, ''USD'', ''2013-03-01'')', t, c)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome, promise_amount_minor, promise_currency, promise_date) VALUES (%L, %L, now(), ''call'', ''promise_to_pay'', 0, ''USD'', ''2013-03-01'')', t, c)],
      ['23514', format('INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, body) VALUES (%L, %L, now(), ''call'', %L)', t, c, repeat('x', 10001))],
      ['23514', format('INSERT INTO api_keys (tenant_id, prefix, secret_hash) VALUES (%L, ''k'', ''\x00'')', t)],
      ['23514', format('INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (%L, %L, sha256(''x''))', t, repeat('k', 201))]
    ];

    FOR k IN 1 .. array_length(cases, 1) LOOP
        expect := cases[k][1];
        stmt := cases[k][2];
        got := NULL;
        BEGIN
            EXECUTE stmt;
        EXCEPTION WHEN OTHERS THEN
            got := SQLSTATE;
        END;
        IF got IS DISTINCT FROM expect THEN
            RAISE EXCEPTION 'FAIL case %: expected SQLSTATE %, got %: %', k, expect, coalesce(got, 'success'), stmt;
        END IF;
    END LOOP;

    -- and the good versions are accepted
    INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
    VALUES (t, p, i, 500, '2013-02-01');
    INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, outcome,
                               promise_amount_minor, promise_currency, promise_date, satisfaction)
    VALUES (t, c, i, now(), 'call', 'promise_to_pay', 500, 'USD', '2013-03-01', 5);
    INSERT INTO clients (tenant_id, ref, name, status, agency_name, agency_placed_on)
    VALUES (t, 'C3', 'x', 'agency', 'Agency Ltd', '2013-06-01');

    RAISE NOTICE 'ok: % bad rows refused with the expected SQLSTATE; good rows accepted', array_length(cases, 1);
END
$check$;

ROLLBACK;
\echo 'constraints smoke: all checks passed'
