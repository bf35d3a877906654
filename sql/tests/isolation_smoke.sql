-- isolation_smoke.sql: tenant isolation smoke check for the core schema.
--
-- Run with psql against a database where bootstrap.sql and the migrations have
-- been applied, as a role that may SET ROLE to collections_owner and
-- collections_app (a superuser, or a member of both):
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f sql/tests/isolation_smoke.sql
--
-- Any failed check raises an exception, so psql exits non-zero. It creates two
-- tenants (slugs smoke-a-*, smoke-b-*), one row of every tenant table for each,
-- and deletes them again at the end (which also checks that deleting a tenant
-- cascades through the whole ledger). Tenant tables are found from the catalog
-- (every table in schema public with a tenant_id column), so tables added by
-- later migrations are covered once seeded below.

\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = notice;

------------------------------------------------------------------------------
-- Setup (owner): two tenants.
------------------------------------------------------------------------------
SET ROLE collections_owner;

SELECT gen_random_uuid() AS tenant_a,
       gen_random_uuid() AS tenant_b,
       left(md5(random()::text), 10) AS sfx
\gset

-- Session-level copies for the DO blocks below (psql does not interpolate
-- variables inside dollar quotes).
SELECT set_config('smoke.a', :'tenant_a', false),
       set_config('smoke.b', :'tenant_b', false)
\g /dev/null

INSERT INTO tenants (id, slug, name, default_currency, time_zone)
VALUES (:'tenant_a', 'smoke-a-' || :'sfx', 'Smoke tenant A', 'USD', 'America/New_York'),
       (:'tenant_b', 'smoke-b-' || :'sfx', 'Smoke tenant B', 'USD', 'Europe/Berlin');

------------------------------------------------------------------------------
-- A session that never set app.tenant_id (current_setting(..., true) is NULL).
------------------------------------------------------------------------------
SET ROLE collections_app;

DO $check$
DECLARE n bigint;
BEGIN
    IF current_setting('app.tenant_id', true) IS NOT NULL THEN
        RAISE NOTICE 'skip: app.tenant_id is already defined in this session (role or database setting?)';
        RETURN;
    END IF;
    SELECT count(*) INTO n FROM tenants;
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL tenants: % registry rows visible with app.tenant_id never set', n;
    END IF;
    BEGIN
        INSERT INTO clients (tenant_id, ref, name) VALUES (current_setting('smoke.a')::uuid, 'X', 'X');
        RAISE EXCEPTION 'FAIL clients: insert succeeded with app.tenant_id never set';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RAISE NOTICE 'ok: app.tenant_id never set: registry empty, insert refused';
END
$check$;

------------------------------------------------------------------------------
-- Seed (app role): the same natural keys in both tenants, one row per table.
------------------------------------------------------------------------------

BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
SELECT set_config('smoke.seeding', 'a', true) \g /dev/null
\ir isolation_smoke_seed.inc.sql
COMMIT;

BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.b'), true) \g /dev/null
SELECT set_config('smoke.seeding', 'b', true) \g /dev/null
\ir isolation_smoke_seed.inc.sql
COMMIT;

------------------------------------------------------------------------------
-- Catalog: the tenancy recipe holds for every tenant table.
------------------------------------------------------------------------------
DO $check$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(c.relname, ', ') INTO bad
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      AND c.relname <> 'tenants'
      AND NOT (c.relrowsecurity AND c.relforcerowsecurity
               AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')
               AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_active'
                           AND NOT p.polpermissive)
               -- tenant_id is the first column of the primary key
               AND EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indrelid = c.oid AND i.indisprimary
                             AND i.indkey[0] = (SELECT attnum FROM pg_attribute
                                                WHERE attrelid = c.oid AND attname = 'tenant_id')));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: tenant tables missing RLS/FORCE/policies/tenant-first PK: %', bad;
    END IF;

    -- every unique constraint and foreign key of a tenant table includes tenant_id
    SELECT string_agg(con.conname, ', ') INTO bad
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND con.contype IN ('u', 'p', 'f')
      AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      AND NOT (con.contype = 'f' AND con.confrelid IN ('public.currencies'::regclass, 'public.tenants'::regclass))
      AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                        AND a.attnum = ANY (con.conkey));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: keys without tenant_id: %', bad;
    END IF;

    SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO bad
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND i.indisunique
      AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                        AND a.attnum = ANY (i.indkey::int2[]));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: unique indexes without tenant_id: %', bad;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'collections_app' AND (rolsuper OR rolbypassrls))
       OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'collections_owner' AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'FAIL catalog: collections_app or collections_owner is superuser or BYPASSRLS';
    END IF;

    IF EXISTS (SELECT 1 FROM pg_class WHERE relowner = 'collections_app'::regrole)
       OR EXISTS (SELECT 1 FROM pg_proc WHERE proowner = 'collections_app'::regrole)
       OR EXISTS (SELECT 1 FROM pg_type WHERE typowner = 'collections_app'::regrole)
       OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspowner = 'collections_app'::regrole)
       OR EXISTS (SELECT 1 FROM pg_database WHERE datdba = 'collections_app'::regrole) THEN
        RAISE EXCEPTION 'FAIL catalog: collections_app owns objects';
    END IF;

    SELECT string_agg(c.relname, ', ') INTO bad
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
      AND NOT coalesce('security_invoker=true' = ANY (c.reloptions)
                       OR 'security_invoker=on' = ANY (c.reloptions), false);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: views not security_invoker: %', bad;
    END IF;

    SELECT string_agg(p.oid::regprocedure::text, ', ') INTO bad
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND (p.prosecdef OR p.proleakproof);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: SECURITY DEFINER or LEAKPROOF functions: %', bad;
    END IF;

    SELECT string_agg(c.relname, ', ') INTO bad
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      AND (has_table_privilege('collections_app', c.oid, 'TRUNCATE')
           OR has_table_privilege('collections_app', c.oid, 'REFERENCES')
           OR has_table_privilege('collections_app', c.oid, 'TRIGGER'));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL catalog: collections_app has TRUNCATE/REFERENCES/TRIGGER on: %', bad;
    END IF;

    IF has_table_privilege('collections_app', 'public.tenants', 'INSERT')
       OR has_table_privilege('collections_app', 'public.tenants', 'UPDATE')
       OR has_table_privilege('collections_app', 'public.tenants', 'DELETE')
       OR has_table_privilege('collections_app', 'public.currencies', 'INSERT')
       OR has_table_privilege('collections_app', 'public.currencies', 'UPDATE')
       OR has_table_privilege('collections_app', 'public.currencies', 'DELETE')
       OR has_schema_privilege('collections_app', 'public', 'CREATE') THEN
        RAISE EXCEPTION 'FAIL catalog: collections_app may write tenants/currencies or create in public';
    END IF;

    RAISE NOTICE 'ok: catalog (RLS+FORCE+policies, tenant_id in every key, roles, privileges, views, functions)';
END
$check$;

------------------------------------------------------------------------------
-- Tenant A set: only A's rows; B's rows cannot be written, nor rows moved to B.
------------------------------------------------------------------------------
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
DO $check$
DECLARE
    a   uuid := current_setting('smoke.a')::uuid;
    b   uuid := current_setting('smoke.b')::uuid;
    t   text;
    n   bigint;
    foreign_rows bigint;
    r   jsonb;
    st  text;
    cnt int;
    tables text[];
BEGIN
    SELECT array_agg(c.relname ORDER BY c.relname) INTO tables
    FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
    WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'tenants'
      AND EXISTS (SELECT 1 FROM pg_attribute at
                  WHERE at.attrelid = c.oid AND at.attname = 'tenant_id' AND NOT at.attisdropped);

    -- the registry: own row only
    SELECT count(*) INTO n FROM tenants;
    IF n <> 1 OR NOT EXISTS (SELECT 1 FROM tenants WHERE id = a) THEN
        RAISE EXCEPTION 'FAIL tenants: app sees % registry rows with tenant A set', n;
    END IF;

    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE tenant_id <> $1) FROM %I', t)
            INTO n, foreign_rows USING a;
        IF n = 0 THEN
            RAISE EXCEPTION 'FAIL %: tenant A sees none of its own rows (table not seeded?)', t;
        END IF;
        IF foreign_rows <> 0 THEN
            RAISE EXCEPTION 'FAIL %: tenant A sees % rows of another tenant', t, foreign_rows;
        END IF;
        EXECUTE format('SELECT count(*) FROM %I WHERE tenant_id = $1', t) INTO n USING b;
        IF n <> 0 THEN
            RAISE EXCEPTION 'FAIL %: tenant A sees B''s rows when asking for them', t;
        END IF;

        -- a copy of one of A's rows, fresh keys
        EXECUTE format('SELECT to_jsonb(x) FROM %I x LIMIT 1', t) INTO r;
        r := r || jsonb_strip_nulls(jsonb_build_object(
            'id',         CASE WHEN r ? 'id' THEN to_jsonb(gen_random_uuid()) END,
            'key',        CASE WHEN r ? 'key' THEN to_jsonb('smoke-' || gen_random_uuid()) END,
            'prefix',     CASE WHEN r ? 'prefix' THEN to_jsonb('p' || left(md5(random()::text), 12)) END,
            'ref',        CASE WHEN r ? 'ref' THEN to_jsonb('r' || left(md5(random()::text), 12)) END,
            'number',     CASE WHEN r ? 'number' THEN to_jsonb('n' || left(md5(random()::text), 12)) END,
            'reference',  CASE WHEN r ? 'reference' THEN to_jsonb('f' || left(md5(random()::text), 12)) END,
            'period_key', CASE WHEN r ? 'period_key' THEN to_jsonb('k' || left(md5(random()::text), 12)) END));

        -- control: the same copy for A is accepted
        EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, $1)', t, t) USING r;
        -- kept (session-level) for the no-tenant and suspended checks
        PERFORM set_config('smoke.row_' || t, r::text, false);

        -- the copy with B's tenant_id is refused by row-level security
        BEGIN
            EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, $1)', t, t)
                USING r || jsonb_build_object('tenant_id', b, 'id', gen_random_uuid());
            RAISE EXCEPTION 'FAIL %: insert with tenant B''s id succeeded while A is set', t
                USING errcode = 'P0001';
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- 42501 new row violates row-level security policy
        END;

        IF has_table_privilege(t, 'UPDATE') THEN
            -- moving A's rows to B is refused
            BEGIN
                EXECUTE format('UPDATE %I SET tenant_id = $1', t) USING b;
                RAISE EXCEPTION 'FAIL %: update moving rows to tenant B succeeded', t;
            EXCEPTION WHEN insufficient_privilege THEN
                NULL;
            END;
            -- B's rows are not there to update
            EXECUTE format('UPDATE %I SET tenant_id = tenant_id WHERE tenant_id = $1', t) USING b;
            GET DIAGNOSTICS cnt = ROW_COUNT;
            IF cnt <> 0 THEN
                RAISE EXCEPTION 'FAIL %: tenant A updated % of B''s rows', t, cnt;
            END IF;
        END IF;
        -- nor to delete
        IF has_table_privilege(t, 'DELETE') THEN
            EXECUTE format('DELETE FROM %I WHERE tenant_id = $1', t) USING b;
            GET DIAGNOSTICS cnt = ROW_COUNT;
            IF cnt <> 0 THEN
                RAISE EXCEPTION 'FAIL %: tenant A deleted % of B''s rows', t, cnt;
            END IF;
        END IF;
    END LOOP;

    -- the app may neither write the registry nor reference data, nor truncate
    BEGIN
        UPDATE tenants SET name = 'x';
        RAISE EXCEPTION 'FAIL tenants: app updated the registry';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        INSERT INTO currencies VALUES ('ZZZ', 2, 'Bogus');
        RAISE EXCEPTION 'FAIL currencies: app inserted a currency';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        TRUNCATE clients CASCADE;
        RAISE EXCEPTION 'FAIL clients: app truncated a tenant table';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE audit_log SET actor = 'x';
        RAISE EXCEPTION 'FAIL audit_log: app updated the audit log';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;

    RAISE NOTICE 'ok: tenant A sees only its rows in % tables; writes as/to B refused; registry, currencies read-only',
        cardinality(tables);
END
$check$;
COMMIT;

------------------------------------------------------------------------------
-- Another tenant's row is indistinguishable from a missing one.
------------------------------------------------------------------------------
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
DO $check$
DECLARE
    a uuid := current_setting('smoke.a')::uuid;
    ghost uuid := gen_random_uuid();
    a_client  uuid := current_setting('smoke.a_client')::uuid;
    a_invoice uuid := current_setting('smoke.a_invoice')::uuid;
    a_payment uuid := current_setting('smoke.a_payment')::uuid;
    b_client  uuid := current_setting('smoke.b_client')::uuid;
    b_invoice uuid := current_setting('smoke.b_invoice')::uuid;
    b_payment uuid := current_setting('smoke.b_payment')::uuid;
    cases text[] := array[
        -- statement with %s for the foreign id
        'INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)'
        ' VALUES (''' || a || ''', ''%s'', ''fk-' || left(md5(random()::text), 8) || ''', ''USD'', 100, ''2013-01-01'', ''2013-01-31'')',
        'INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)'
        ' VALUES (''' || a || ''', ''%s'', ''fk-' || left(md5(random()::text), 8) || ''', ''USD'', 100, ''2013-02-01'')',
        'INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)'
        ' VALUES (''' || a || ''', ''' || a_payment || ''', ''%s'', 1, ''2013-03-01'')',
        'INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)'
        ' VALUES (''' || a || ''', ''%s'', ''' || a_invoice || ''', 1, ''2013-03-01'')',
        'INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel)'
        ' VALUES (''' || a || ''', ''' || a_client || ''', ''%s'', now(), ''call'')',
        'UPDATE payments SET client_id = ''%s'' WHERE tenant_id = ''' || a || ''' AND id = ''' || a_payment || ''''
    ];
    foreign_ids uuid[] := array[b_client, b_client, b_invoice, b_payment, b_invoice, b_client];
    i int;
    s1 text; m1 text; d1 text; c1 text;
    s2 text; m2 text; d2 text; c2 text;
BEGIN
    FOR i IN 1 .. cardinality(cases) LOOP
        BEGIN
            EXECUTE format(cases[i], foreign_ids[i]);
            RAISE EXCEPTION 'FAIL fk case %: referencing tenant B''s row succeeded', i;
        EXCEPTION WHEN foreign_key_violation THEN
            GET STACKED DIAGNOSTICS s1 = RETURNED_SQLSTATE, m1 = MESSAGE_TEXT,
                                    d1 = PG_EXCEPTION_DETAIL, c1 = CONSTRAINT_NAME;
        END;
        BEGIN
            EXECUTE format(cases[i], ghost);
            RAISE EXCEPTION 'FAIL fk case %: referencing a missing row succeeded', i;
        EXCEPTION WHEN foreign_key_violation THEN
            GET STACKED DIAGNOSTICS s2 = RETURNED_SQLSTATE, m2 = MESSAGE_TEXT,
                                    d2 = PG_EXCEPTION_DETAIL, c2 = CONSTRAINT_NAME;
        END;
        -- any key values in the detail differ only by the id we passed
        d1 := replace(d1, foreign_ids[i]::text, '<id>');
        d2 := replace(d2, ghost::text, '<id>');
        IF (s1, m1, d1, c1) IS DISTINCT FROM (s2, m2, d2, c2) THEN
            RAISE EXCEPTION 'FAIL fk case %: other tenant''s row gives [% % % %], missing row gives [% % % %]',
                i, s1, m1, d1, c1, s2, m2, d2, c2;
        END IF;
        RAISE NOTICE 'ok: fk case %: % / % / %', i, s1, m1, d1;
    END LOOP;

    -- unique keys are per tenant: A may use B's natural keys freely
    INSERT INTO clients (tenant_id, ref, name) VALUES (a, 'SMOKE-B-ONLY', 'A copy of a ref B holds');
    RAISE NOTICE 'ok: tenant A can reuse a client ref tenant B holds (no unique-key leak)';
END
$check$;
COMMIT;

------------------------------------------------------------------------------
-- No tenant set: nothing visible, every write refused.
------------------------------------------------------------------------------
-- (a) after a transaction that set the tenant has committed, the setting
--     reads '' in this session;
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
COMMIT;
\ir isolation_smoke_no_tenant.inc.sql
-- (b) explicitly empty;
BEGIN;
SELECT set_config('app.tenant_id', '', true) \g /dev/null
\ir isolation_smoke_no_tenant.inc.sql
COMMIT;

-- (c) garbage in the setting fails the query instead of matching anything.
BEGIN;
SELECT set_config('app.tenant_id', 'not-a-uuid', true) \g /dev/null
DO $check$
DECLARE n bigint;
BEGIN
    BEGIN
        SELECT count(*) INTO n FROM clients;
        RAISE EXCEPTION 'FAIL: a malformed app.tenant_id did not fail the query (saw % rows)', n;
    EXCEPTION WHEN invalid_text_representation THEN
        RAISE NOTICE 'ok: malformed app.tenant_id fails closed';
    END;
END
$check$;
COMMIT;

------------------------------------------------------------------------------
-- Suspended tenant: the app role sees and writes nothing; the owner still can.
------------------------------------------------------------------------------
SET ROLE collections_owner;
UPDATE tenants SET status = 'suspended', suspended_at = now() WHERE id = :'tenant_a';
SET ROLE collections_app;

BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
SELECT set_config('smoke.expect_registry_row', 'yes', true) \g /dev/null
\ir isolation_smoke_no_tenant.inc.sql
COMMIT;

-- B is unaffected by A's suspension
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.b'), true) \g /dev/null
DO $check$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM clients;
    IF n = 0 THEN
        RAISE EXCEPTION 'FAIL: tenant B sees no clients while only A is suspended';
    END IF;
    RAISE NOTICE 'ok: another tenant is unaffected by a suspension';
END
$check$;
COMMIT;

SET ROLE collections_owner;
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
DO $check$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM clients;
    IF n = 0 THEN
        RAISE EXCEPTION 'FAIL: the owner cannot see a suspended tenant''s rows with its id set';
    END IF;
    SELECT count(*) INTO n FROM clients WHERE tenant_id <> current_tenant_id();
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL: the owner sees other tenants'' rows (FORCE ROW LEVEL SECURITY missing?)';
    END IF;
    RAISE NOTICE 'ok: the owner still sees a suspended tenant''s rows (with its id set), and only those';
END
$check$;
COMMIT;

-- Owner without a tenant: FORCE means nothing is visible to it either.
DO $check$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM clients;
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL: the owner sees % client rows with no tenant set', n;
    END IF;
    RAISE NOTICE 'ok: the owner sees no tenant rows with no tenant set';
END
$check$;

UPDATE tenants SET status = 'active', suspended_at = NULL WHERE id = :'tenant_a';
SET ROLE collections_app;
BEGIN;
SELECT set_config('app.tenant_id', current_setting('smoke.a'), true) \g /dev/null
DO $check$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM clients) THEN
        RAISE EXCEPTION 'FAIL: a resumed tenant still sees nothing';
    END IF;
    RAISE NOTICE 'ok: a resumed tenant sees its rows again';
END
$check$;
COMMIT;

------------------------------------------------------------------------------
-- Teardown (owner): deleting a tenant removes its whole ledger.
------------------------------------------------------------------------------
SET ROLE collections_owner;
DELETE FROM tenants WHERE id IN (:'tenant_a', :'tenant_b');

BEGIN;
DO $check$
DECLARE
    t text;
    n bigint;
    tenant uuid;
BEGIN
    FOREACH tenant IN ARRAY array[current_setting('smoke.a')::uuid, current_setting('smoke.b')::uuid] LOOP
        -- the owner is subject to FORCEd RLS: look with each tenant set
        PERFORM set_config('app.tenant_id', tenant::text, true);
        FOR t IN
            SELECT c.relname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
            WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'tenants'
              AND EXISTS (SELECT 1 FROM pg_attribute at
                          WHERE at.attrelid = c.oid AND at.attname = 'tenant_id' AND NOT at.attisdropped)
        LOOP
            EXECUTE format('SELECT count(*) FROM %I', t) INTO n;
            IF n <> 0 THEN
                RAISE EXCEPTION 'FAIL %: % rows left after deleting the tenant', t, n;
            END IF;
        END LOOP;
    END LOOP;
    IF EXISTS (SELECT 1 FROM tenants WHERE id IN (current_setting('smoke.a')::uuid, current_setting('smoke.b')::uuid)) THEN
        RAISE EXCEPTION 'FAIL tenants: smoke tenants still registered';
    END IF;
    RAISE NOTICE 'ok: deleting a tenant cascades through every tenant table';
END
$check$;
COMMIT;
RESET ROLE;

\echo 'isolation smoke: all checks passed'
