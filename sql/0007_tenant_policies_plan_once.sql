-- 0007_tenant_policies_plan_once.sql: the tenant policies, evaluated once a
-- statement and planned without looking at the tenant.
--
-- 1. tenant_isolation becomes USING / WITH CHECK
--    (tenant_id = (SELECT current_tenant_id())): the same tenant, as an
--    initplan. Written as a bare call, the planner folds the call to the
--    current tenant's id while planning and looks that id up in the column's
--    statistics; a tenant absent from them (a new one, whose first import is
--    running) is estimated at about one row, so `tenant_id = X` alone looks as
--    selective as a unique key. The plan then reads the tenant's whole range
--    through whichever index leads with tenant_id and filters the rest, and a
--    prepared statement keeps that plan for the session, for every tenant
--    after. Seen importing IBM's 2,466 payments into a new tenant: a payment
--    looked up by reference scanned all the tenant's payments through
--    payments_client_idx (0.65 ms a lookup, growing with the book) and the
--    balance check scanned all its applications through
--    payment_applications_payment_idx (1.04 ms a payment). As an initplan the
--    tenant is a parameter: the estimate is the average tenant (1/ndistinct),
--    the same for every tenant, and the unique keys win (0.07 ms and under).
--    Index scans on tenant_id still use it; nothing else changes.
--
-- 2. current_tenant_is_active() (the restrictive policy tenant_active's
--    initplan) in PL/pgSQL. As a SQL function it cannot be inlined (its body
--    holds a subquery), so each evaluation planned its body afresh: 30-40 us
--    for every tenant table a statement names. PL/pgSQL keeps the plan for the
--    session. pgbench (-M prepared, one client, a transaction that sets the
--    tenant and runs one statement naming four tenant tables): 0.44-0.52 ms
--    before, 0.34-0.38 ms after.
--
-- The recipe is unchanged: the same tenant expression, a permissive policy for
-- all roles and a restrictive one for collections_app on every tenant table,
-- invoker rights, no SECURITY DEFINER. TenancyAudit accepts the policy in
-- either form, exactly.

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
            'ALTER POLICY tenant_isolation ON %I'
            ' USING (tenant_id = (SELECT current_tenant_id()))'
            ' WITH CHECK (tenant_id = (SELECT current_tenant_id()))', t);
    END LOOP;
END
$policies$;

CREATE OR REPLACE FUNCTION current_tenant_is_active() RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM public.tenants
        WHERE id = public.current_tenant_id() AND status = 'active'
    );
END
$$;
