-- webhook_invoices_overdue: An invoice.overdue event for each invoice that became overdue on as_of (due the day before) with a balance left, in the worker's day transaction.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Called by worker_queue_dunning on the first run of a day only (a rerun or a
-- backfill of a day done writes nothing), and the fact key (the invoice and its
-- due date) keeps even a second call from telling a lender twice. An invoice's
-- balance is report_invoice_balances', as everywhere. Returns how many events were
-- written.
CREATE OR REPLACE FUNCTION public.webhook_invoices_overdue(for_tenant uuid, as_of date)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
    written int;
BEGIN
    IF NOT EXISTS (SELECT FROM public.webhook_endpoints e WHERE e.tenant_id = for_tenant) THEN
        RETURN 0;
    END IF;
    SELECT public.webhook_emit(for_tenant, 'invoice.overdue',
                               coalesce(array_agg(jsonb_build_object('invoice_number', i.number, 'client_ref', c.ref,
                                                                     'currency', b.currency,
                                                                     'amount_minor', b.amount_minor,
                                                                     'balance_minor', b.balance_minor,
                                                                     'due_on', b.due_on, 'disputed', b.disputed)),
                                        '{}'),
                               coalesce(array_agg(b.invoice_id || '/' || b.due_on), '{}'))
    INTO written
    FROM public.report_invoice_balances(for_tenant, as_of) b
    JOIN public.invoices i ON i.tenant_id = for_tenant AND i.id = b.invoice_id
    JOIN public.clients c ON c.tenant_id = for_tenant AND c.id = b.client_id
    WHERE b.due_on = as_of - 1 AND b.balance_minor > 0;
    RETURN written;
END
$function$;
