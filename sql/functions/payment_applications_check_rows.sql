-- payment_applications_check_rows: Trigger, once per insert statement: every new application stays within one currency and after its payment's receipt.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- The set-based form of payment_applications_check (which still checks updates,
-- row by row): one join of the statement's new rows (transition table new_rows)
-- to their payments and invoices, raising the same errors.
--
-- The joins take the new rows as arrays, read from the transition table alone
-- first: on Citus the trigger runs on the shard, and a statement that joins the
-- transition table to a distributed table fails there ("executor could not find
-- named tuplestore", deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.payment_applications_check_rows()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
declare
    bad record;
    tenant uuid;
    payment_ids uuid[];
    invoice_ids uuid[];
    applied_ons date[];
    tenants uuid[];
begin
    -- Each new row looks up its payment and invoice by key. OFFSET 0 keeps the
    -- lookups per row: the transition table has no statistics, and a join the
    -- planner were free to order could scan it once per payment of the tenant.
    -- The rows of the first row's tenant (under row-level security, every row:
    -- the tenant set) look up by that one tenant, so the policy's active-tenant
    -- check is made once, not twice a row (measured: 21 us a row against 38); any
    -- other rows by their own. (The tenant is the rows', never the setting's:
    -- a function is told its tenant, DESIGN.md "Scale-out".)
    -- Planned generically (the function's SET): planned for a tenant newer than
    -- the statistics, whose rows they count as none, the lookup took any index on
    -- tenant_id and filtered the tenant's payments for each new row.
    select array_agg(n.payment_id), array_agg(n.invoice_id), array_agg(n.applied_on), array_agg(n.tenant_id)
    into payment_ids, invoice_ids, applied_ons, tenants
    from new_rows n;
    tenant := tenants[1];

    select n.applied_on, p.currency as payment_currency, p.received_on, i.currency as invoice_currency
    into bad
    from unnest(payment_ids, invoice_ids, applied_ons, tenants) as n(payment_id, invoice_id, applied_on, tenant_id)
    cross join lateral (
        select p.currency, p.received_on from public.payments p
        where p.tenant_id = tenant and p.id = n.payment_id offset 0
    ) p
    cross join lateral (
        select i.currency from public.invoices i
        where i.tenant_id = tenant and i.id = n.invoice_id offset 0
    ) i
    where n.tenant_id = tenant and (p.currency <> i.currency or n.applied_on < p.received_on)
    limit 1;

    -- (Only when there are such rows: Citus cannot run this lookup, whose tenant
    -- is a column's, as one shard's.)
    if not found and exists (select from unnest(tenants) t(id) where t.id is distinct from tenant) then
        select n.applied_on, p.currency as payment_currency, p.received_on, i.currency as invoice_currency
        into bad
        from unnest(payment_ids, invoice_ids, applied_ons, tenants) as n(payment_id, invoice_id, applied_on, tenant_id)
        cross join lateral (
            select p.currency, p.received_on from public.payments p
            where p.tenant_id = n.tenant_id and p.id = n.payment_id offset 0
        ) p
        cross join lateral (
            select i.currency from public.invoices i
            where i.tenant_id = n.tenant_id and i.id = n.invoice_id offset 0
        ) i
        where n.tenant_id is distinct from tenant and (p.currency <> i.currency or n.applied_on < p.received_on)
        limit 1;
    end if;

    if not found then
        return null;
    end if;

    if bad.payment_currency <> bad.invoice_currency then
        raise exception 'payment currency % does not match invoice currency %',
                bad.payment_currency, bad.invoice_currency
            using errcode = 'check_violation',
                  table = 'payment_applications',
                  constraint = 'payment_applications_currency_check';
    end if;

    raise exception 'payment applied on % before it was received on %',
            bad.applied_on, bad.received_on
        using errcode = 'check_violation',
              table = 'payment_applications',
              constraint = 'payment_applications_applied_on_check';
end
$function$;
