-- Included by isolation_smoke.sql (as collections_app): with no usable tenant
-- (none set, or a suspended one) every tenant table reads empty and every
-- write is refused. Uses the sample rows saved by the tenant-A check
-- (smoke.row_<table>). If smoke.expect_registry_row is 'yes' the tenant's own
-- registry row must still be visible (suspended tenant), else none.
DO $check$
DECLARE
    t      text;
    n      bigint;
    r      jsonb;
    cnt    int;
    tables text[];
    label  text := coalesce('tenant ' || current_tenant_id()::text, 'no tenant');
BEGIN
    SELECT array_agg(c.relname ORDER BY c.relname) INTO tables
    FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
    WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'tenants'
      AND EXISTS (SELECT 1 FROM pg_attribute at
                  WHERE at.attrelid = c.oid AND at.attname = 'tenant_id' AND NOT at.attisdropped);

    SELECT count(*) INTO n FROM tenants;
    IF coalesce(current_setting('smoke.expect_registry_row', true), '') = 'yes' THEN
        IF n <> 1 THEN
            RAISE EXCEPTION 'FAIL tenants (%): expected only the own registry row, saw %', label, n;
        END IF;
    ELSIF n <> 0 THEN
        RAISE EXCEPTION 'FAIL tenants (%): % registry rows visible', label, n;
    END IF;

    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('SELECT count(*) FROM %I', t) INTO n;
        IF n <> 0 THEN
            RAISE EXCEPTION 'FAIL % (%): % rows visible', t, label, n;
        END IF;

        r := current_setting('smoke.row_' || t, true)::jsonb;
        IF r IS NULL THEN
            RAISE EXCEPTION 'FAIL %: no sample row saved by the tenant A check', t;
        END IF;
        IF r ? 'id' THEN
            r := r || jsonb_build_object('id', gen_random_uuid());
        END IF;
        BEGIN
            EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, $1)', t, t)
                USING r;
            RAISE EXCEPTION 'FAIL % (%): insert succeeded', t, label;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;

        IF has_table_privilege(t, 'UPDATE') THEN
            EXECUTE format('UPDATE %I SET tenant_id = tenant_id', t);
            GET DIAGNOSTICS cnt = ROW_COUNT;
            IF cnt <> 0 THEN
                RAISE EXCEPTION 'FAIL % (%): update touched % rows', t, label, cnt;
            END IF;
        END IF;
        IF has_table_privilege(t, 'DELETE') THEN
            EXECUTE format('DELETE FROM %I', t);
            GET DIAGNOSTICS cnt = ROW_COUNT;
            IF cnt <> 0 THEN
                RAISE EXCEPTION 'FAIL % (%): delete removed % rows', t, label, cnt;
            END IF;
        END IF;
    END LOOP;

    RAISE NOTICE 'ok: % (setting %): % tables empty, inserts refused, updates/deletes touch nothing',
        CASE WHEN coalesce(current_setting('smoke.expect_registry_row', true), '') = 'yes'
             THEN 'suspended tenant' ELSE 'no tenant' END,
        coalesce(quote_literal(current_setting('app.tenant_id', true)), 'unset'),
        cardinality(tables);
END
$check$;
