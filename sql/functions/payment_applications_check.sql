-- payment_applications_check: Trigger, per updated row: an application stays within its payment and its invoice, in one currency (inserts: payment_applications_check_rows).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.payment_applications_check()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    pay_currency  char(3);
    pay_received  date;
    inv_currency  char(3);
begin
    select p.currency, p.received_on into pay_currency, pay_received
    from public.payments p
    where p.tenant_id = new.tenant_id and p.id = new.payment_id;

    select i.currency into inv_currency
    from public.invoices i
    where i.tenant_id = new.tenant_id and i.id = new.invoice_id;

    if pay_currency is not null and inv_currency is not null
       and pay_currency <> inv_currency then
        raise exception 'payment currency % does not match invoice currency %',
                pay_currency, inv_currency
            using errcode = 'check_violation',
                  table = 'payment_applications',
                  constraint = 'payment_applications_currency_check';
    end if;

    if pay_received is not null and new.applied_on < pay_received then
        raise exception 'payment applied on % before it was received on %',
                new.applied_on, pay_received
            using errcode = 'check_violation',
                  table = 'payment_applications',
                  constraint = 'payment_applications_applied_on_check';
    end if;

    return new;
end
$function$;
