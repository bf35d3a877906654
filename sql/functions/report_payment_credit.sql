-- report_payment_credit: Each payment's unapplied credit at as_of.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_payment_credit(for_tenant uuid, as_of date)
 RETURNS TABLE(payment_id uuid, client_id uuid, currency character, received_on date, reversed boolean, unapplied_credit_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select p.id, p.client_id, p.currency, p.received_on,
           coalesce(p.reversed_on <= as_of, false),
           case when p.reversed_on <= as_of then 0
                else (p.amount_minor - coalesce(a.applied, 0))::bigint end
    from public.payments p
    left join (
        select pa.payment_id, public.report_sum(pa.amount_minor) as applied
        from public.payment_applications pa
        where pa.tenant_id = for_tenant and pa.applied_on <= as_of
        group by pa.payment_id
    ) a on a.payment_id = p.id
    where p.tenant_id = for_tenant and p.received_on <= as_of
$function$;
