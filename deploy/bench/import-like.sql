-- Copies of `invoices` for deploy/bench/import.sh's `constrained` baseline and its
-- constraint costs, made from the catalog of the migrated database (so they follow
-- the schema as it is, not as it was when this was written). Loaded into each run's
-- database (dropped with it).
--
-- bench_invoice_parts(): what a copy of invoices maintains on a write, one row for
-- each part that the cost measurement leaves out on its own: every primary key,
-- unique, exclusion and foreign key constraint, every other index, and (as one
-- group each) the check constraints and the user triggers.
--
-- bench_invoices_like(target, omit): CREATE TABLE target with what
-- `CREATE TABLE target (LIKE invoices INCLUDING ALL)` gives (columns, NOT NULLs,
-- defaults, checks, indexes, statistics, storage, comments), plus the foreign keys
-- (to the real tenants, clients, currencies) and the user triggers of invoices,
-- but no row-level security; the part named `omit` (a bench_invoice_parts() part)
-- is left out. Constraint and index names are invoices' with `invoices` replaced
-- by the target's name. Without `omit`, the copy is checked to have as many
-- constraints of each kind, indexes and triggers as invoices.

CREATE FUNCTION bench_invoice_parts()
RETURNS TABLE (part text, kind text, definition text)
LANGUAGE sql STABLE AS $$
    SELECT part, kind, definition FROM (
        SELECT array_position(ARRAY['f', 'p', 'u', 'x']::"char"[], c.contype) AS rank, c.conname::text AS part,
               CASE c.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique'
                              WHEN 'x' THEN 'exclusion' ELSE 'foreign key' END AS kind,
               pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        WHERE c.conrelid = 'invoices'::regclass AND c.contype IN ('p', 'u', 'x', 'f')
        UNION ALL
        SELECT 5, i.relname::text, CASE WHEN x.indisunique THEN 'unique index' ELSE 'index' END,
               substring(pg_get_indexdef(x.indexrelid) FROM ' USING (.*)$')
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'invoices'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid)
        UNION ALL
        SELECT 6, 'checks', 'check', count(*) || ' check constraints (' || string_agg(conname, ', ' ORDER BY conname) || ')'
        FROM pg_constraint WHERE conrelid = 'invoices'::regclass AND contype = 'c'
        HAVING count(*) > 0
        UNION ALL
        SELECT 7, 'triggers', 'trigger', count(*) || ' triggers (' || string_agg(tgname, ', ' ORDER BY tgname) || ')'
        FROM pg_trigger WHERE tgrelid = 'invoices'::regclass AND NOT tgisinternal
        HAVING count(*) > 0
    ) parts
    ORDER BY rank, part
$$;

CREATE FUNCTION bench_invoices_like(target text, omit text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    -- invoices_number_key -> <target>_number_key
    renamed text;
BEGIN
    IF omit IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bench_invoice_parts() p WHERE p.part = omit) THEN
        RAISE EXCEPTION 'invoices has no part %', omit;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE invoices INCLUDING ALL EXCLUDING CONSTRAINTS EXCLUDING INDEXES)', target);
    -- Keys first, then checks, then foreign keys (as pg_dump orders them).
    FOR r IN
        SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.conrelid = 'invoices'::regclass AND c.contype IN ('p', 'u', 'x', 'c', 'f')
        ORDER BY array_position(ARRAY['p', 'u', 'x', 'c', 'f']::"char"[], c.contype), c.conname
    LOOP
        CONTINUE WHEN r.conname = omit OR (omit = 'checks' AND r.contype = 'c');
        renamed := CASE WHEN r.conname LIKE 'invoices\_%' THEN target || substr(r.conname, 9)
                        ELSE target || '_' || r.conname END;
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', target, renamed, r.def);
    END LOOP;
    FOR r IN
        SELECT i.relname, x.indisunique, pg_get_indexdef(x.indexrelid) AS def
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'invoices'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid)
    LOOP
        CONTINUE WHEN r.relname = omit;
        renamed := CASE WHEN r.relname LIKE 'invoices\_%' THEN target || substr(r.relname, 9)
                        ELSE target || '_' || r.relname END;
        EXECUTE format('CREATE %sINDEX %I ON %I %s', CASE WHEN r.indisunique THEN 'UNIQUE ' ELSE '' END,
                       renamed, target, substring(r.def FROM ' (USING .*)$'));
    END LOOP;
    FOR r IN
        SELECT t.tgname, pg_get_triggerdef(t.oid) AS def
        FROM pg_trigger t WHERE t.tgrelid = 'invoices'::regclass AND NOT t.tgisinternal
    LOOP
        CONTINUE WHEN omit = 'triggers';
        EXECUTE regexp_replace(r.def, ' ON \S+ ', format(' ON %I ', target));
    END LOOP;
    IF omit IS NULL THEN
        PERFORM 1 FROM (
            SELECT 'constraint ' || contype::text AS what, count(*) FILTER (WHERE conrelid = 'invoices'::regclass) AS theirs,
                   count(*) FILTER (WHERE conrelid = target::regclass) AS ours
            FROM pg_constraint WHERE conrelid IN ('invoices'::regclass, target::regclass) GROUP BY contype::text
            UNION ALL
            SELECT 'index', count(*) FILTER (WHERE indrelid = 'invoices'::regclass), count(*) FILTER (WHERE indrelid = target::regclass)
            FROM pg_index WHERE indrelid IN ('invoices'::regclass, target::regclass)
            UNION ALL
            SELECT 'trigger', count(*) FILTER (WHERE tgrelid = 'invoices'::regclass), count(*) FILTER (WHERE tgrelid = target::regclass)
            FROM pg_trigger WHERE tgrelid IN ('invoices'::regclass, target::regclass) AND NOT tgisinternal
        ) counts WHERE theirs <> ours;
        IF FOUND THEN
            RAISE EXCEPTION '% does not have the constraints, indexes and triggers of invoices', target;
        END IF;
    END IF;
END
$$;
