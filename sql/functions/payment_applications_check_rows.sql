-- payment_applications_check_rows: Trigger, once per insert statement: every new application stays within one currency and after its payment's receipt.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- The set-based form of payment_applications_check (which still checks updates,
-- row by row): one join of the statement's new rows (transition table new_rows)
-- to their payments and invoices, raising the same errors.
CREATE OR REPLACE FUNCTION public.payment_applications_check_rows()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    bad record;
begin
    select n.applied_on, p.currency as payment_currency, p.received_on, i.currency as invoice_currency
    into bad
    from new_rows n
    join public.payments p on p.tenant_id = n.tenant_id and p.id = n.payment_id
    join public.invoices i on i.tenant_id = n.tenant_id and i.id = n.invoice_id
    where p.currency <> i.currency or n.applied_on < p.received_on
    limit 1;

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
