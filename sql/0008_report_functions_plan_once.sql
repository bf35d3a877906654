-- 0008_report_functions_plan_once.sql: the report and worker functions read the
-- current tenant as a parameter of the plan, as the policies do since 0007.
--
-- 0006 said that a generic plan does not depend on the tenant because
-- current_tenant_id() is evaluated when the plan runs. It is, but the planner
-- also evaluates it while planning, to estimate `tenant_id = <that id>` from
-- the column's statistics. The worker's functions keep one generic plan per
-- connection (plan_cache_mode = force_generic_plan), so every tenant a
-- connection serves ran on plans sized for the first one. Measured on the demo
-- books: a connection whose first tenant was new to the statistics (one client,
-- one invoice) then took 17.7 s for worker_store_day of a 9,000-invoice tenant
-- that takes 70 ms on a connection that started with a tenant of its size.
-- Auto-prepared report statements in a long-lived service keep generic plans
-- the same way.
--
-- Written `(SELECT public.current_tenant_id())`, the tenant is an initplan: the
-- estimate is the average tenant, the same for every tenant; index conditions
-- on tenant_id stay. The functions are otherwise unchanged: each report_* and
-- worker_* function whose body calls public.current_tenant_id() is recreated
-- from its own definition with that one substitution, so this migration cannot
-- drift from the formulas of 0002 and 0006. TenancyAudit still runs on the
-- result (invoker rights, no SECURITY DEFINER).

DO $rewrite$
DECLARE
    f          record;
    definition text;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
          AND (p.proname LIKE 'report\_%' OR p.proname LIKE 'worker\_%')
        ORDER BY p.proname
    LOOP
        -- Calls already written as initplans are set aside first, so that a
        -- rerun on a database patched by hand changes nothing.
        definition := replace(pg_get_functiondef(f.oid), '(SELECT public.current_tenant_id())', '<tenant initplan>');
        CONTINUE WHEN position('public.current_tenant_id()' IN definition) = 0;
        definition := replace(definition, 'public.current_tenant_id()', '<tenant initplan>');
        EXECUTE replace(definition, '<tenant initplan>', '(SELECT public.current_tenant_id())');
    END LOOP;
END
$rewrite$;
