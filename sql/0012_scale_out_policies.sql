-- 0012_scale_out_policies.sql: tenant policies Citus can distribute, and the
-- tenant named in every function (DESIGN.md "Scale-out").
--
-- 1. No restrictive policy, no subquery in a policy. Citus refuses subqueries in
--    the policies of distributed tables and recreated the restrictive
--    tenant_active as permissive on its shards (a suspended-tenant rule turned
--    into a cross-tenant read). On every tenant table now:
--      tenant_isolation  permissive, TO collections_owner, collections_registry:
--                        tenant_id = current_tenant_id()
--      tenant_active     permissive, TO collections_app:
--                        USING      tenant_id = current_active_tenant_id()
--                        WITH CHECK tenant_id = current_tenant_id()
--      trigger tenant_active, BEFORE INSERT FOR EACH STATEMENT:
--                        refuse_suspended_tenant()
--    So the app reads, changes and deletes nothing of a suspended tenant (no row
--    passes USING) and inserts nothing (the trigger), while the registry still
--    sees a suspended tenant's keys and rows, to revoke, resume or delete.
--
--    Why these shapes (measured on PostgreSQL 15 here): a statement that names
--    its tenant (`tenant_id = $1`, the Scale-out rule) puts the policy's call and
--    its own parameter in one equivalence class, so the scan's index condition
--    is `tenant_id = $1` and the policy's call is a one-time filter `$1 =
--    current_active_tenant_id()`: evaluated once, estimated like any parameter,
--    the same plan for every tenant (what sql/0007's initplans were for). A
--    pseudoconstant call AND-ed into a policy is not hoisted like that: written
--    `... AND current_tenant_is_active()` it ran per row, 60 us a row. WITH CHECK
--    is evaluated per written row whatever its shape (a PL/pgSQL lookup there:
--    6.3 us a row, 6 s more for a million imported rows), so it checks only the
--    tenant, and suspension of inserts is the statement trigger's: once a
--    statement.
--
-- 2. The report and worker functions take the tenant as their first parameter
--    (for_tenant) and compare it on every table they read: their new definitions
--    are in sql/functions/, applied after this migration. The old signatures are
--    dropped here (IF EXISTS: some exist only once a function file made them),
--    with their bookkeeping rows, so the function files create them anew.
--
-- The two functions below are in this migration, not in sql/functions/, because
-- the policies and triggers created here need them to exist, and because the
-- tenancy audit pins their text: changing them takes a migration.

-- The current tenant, when it exists and is active; NULL otherwise. PL/pgSQL,
-- not SQL, so the planner cannot inline its lookup into every scan; STABLE, so
-- a statement naming its tenant evaluates it once (see 1.). As collections_app
-- it reads tenants through tenant_self, whose current_tenant_id() is plain.
--
-- SELECT INTO, not RETURN (SELECT ...): 6.8 us a call against 19 us (20,000
-- calls as collections_app), and a day calls it once for each scan of a tenant
-- table, inner sides of nested loops included (about 2,100 times for a backlog
-- day of a 5,000-invoice tenant).
CREATE FUNCTION current_active_tenant_id() RETURNS uuid
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    active uuid;
BEGIN
    SELECT t.id INTO active FROM public.tenants t WHERE t.id = public.current_tenant_id() AND t.status = 'active';
    RETURN active;
END
$$;

-- Refuses a statement's inserts into a tenant table when the role writing is
-- bound by the tenant_active policy (collections_app, or a role with its
-- privileges) and the current tenant is suspended or missing. Superusers bypass
-- row-level security, so they bypass this too.
CREATE FUNCTION refuse_suspended_tenant() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_catalog.pg_has_role(current_user, 'collections_app', 'USAGE')
       AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)
       AND public.current_active_tenant_id() IS NULL THEN
        RAISE EXCEPTION 'the tenant is suspended or does not exist; nothing was written'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

DO $policies$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE p.polname = 'tenant_isolation'
        ORDER BY c.relname
    LOOP
        EXECUTE format(
            'ALTER POLICY tenant_isolation ON %I TO collections_owner, collections_registry'
            ' USING (tenant_id = current_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format('DROP POLICY IF EXISTS tenant_active ON %I', t);
        EXECUTE format(
            'CREATE POLICY tenant_active ON %I TO collections_app'
            ' USING (tenant_id = current_active_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format(
            'CREATE TRIGGER tenant_active BEFORE INSERT ON %I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION refuse_suspended_tenant()', t);
    END LOOP;
END
$policies$;

DROP FUNCTION IF EXISTS report_kpis(date, integer, integer, integer, text);
DROP FUNCTION IF EXISTS report_ageing(date, integer[]);
DROP FUNCTION IF EXISTS report_ageing_by_client(date, integer[]);
DROP FUNCTION IF EXISTS report_day(date, integer[], integer, integer, integer, text);
DROP FUNCTION IF EXISTS report_csat(date, integer, text);
DROP FUNCTION IF EXISTS report_invoice_balances(date);
DROP FUNCTION IF EXISTS report_payment_credit(date);
DROP FUNCTION IF EXISTS report_promise_paid(uuid, character, date, date, date);
DROP FUNCTION IF EXISTS report_balance_entries(date);
DROP FUNCTION IF EXISTS worker_accrue_late_fees(date);
DROP FUNCTION IF EXISTS worker_break_bounced_promises(date, integer, text);
DROP FUNCTION IF EXISTS worker_decide_promises(date, integer, text);
DROP FUNCTION IF EXISTS worker_queue_reminders(date, integer);
DROP FUNCTION IF EXISTS worker_store_day(date, integer[], integer, integer, integer, text);
DELETE FROM schema_functions
WHERE name IN ('report_kpis.sql', 'report_ageing.sql', 'report_ageing_by_client.sql', 'report_day.sql',
               'report_csat.sql', 'report_invoice_balances.sql', 'report_payment_credit.sql',
               'report_promise_paid.sql', 'report_balance_entries.sql', 'worker_accrue_late_fees.sql',
               'worker_break_bounced_promises.sql', 'worker_decide_promises.sql',
               'worker_queue_reminders.sql', 'worker_store_day.sql');
