-- worker_queue_reminders: Queues the day's reminders before and after due dates, within the contact rules of sql/0009.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.worker_queue_reminders(for_tenant uuid, as_of date, grace_days integer)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    queued int;
BEGIN
    WITH due AS MATERIALIZED (
        SELECT i.id, i.client_id, i.currency, i.amount_minor, o.offset_days
        FROM public.tenants t
        CROSS JOIN LATERAL unnest(t.reminder_offsets) AS o(offset_days)
        JOIN public.invoices i
          ON i.tenant_id = for_tenant
         AND i.due_on = as_of - o.offset_days
         AND i.issued_on <= as_of
         AND (i.voided_on IS NULL OR i.voided_on > as_of)
        WHERE t.id = for_tenant
    )
    INSERT INTO public.reminders (tenant_id, invoice_id, offset_days, client_id, scheduled_on, channel,
                                  currency, balance_minor)
    SELECT for_tenant, d.id, d.offset_days, d.client_id, as_of,
           CASE WHEN c.preferred_channel IS NOT NULL AND c.preferred_channel NOT IN ('visit', 'portal')
                THEN c.preferred_channel
                WHEN c.email IS NOT NULL THEN 'email'
                WHEN c.phone IS NOT NULL THEN 'sms'
                ELSE 'letter' END,
           d.currency, b.balance_minor
    FROM due d
    JOIN public.clients c
      ON c.tenant_id = for_tenant AND c.id = d.client_id
     AND c.status = 'active' AND NOT c.do_not_contact
    -- The balance and dispute of report_balance_entries, for this one invoice.
    CROSS JOIN LATERAL (
        SELECT d.amount_minor + coalesce(public.report_sum(e.amount_minor)
                   FILTER (WHERE public.report_counts(e.on_date, e.ends_on, as_of)), 0) AS balance_minor,
               coalesce(bool_or(e.kind = 'dispute' AND public.report_counts(e.on_date, e.ends_on, as_of)), false)
                   AS disputed
        FROM public.report_balance_entries(for_tenant, as_of) e
        WHERE e.invoice_id = d.id
    ) b
    WHERE b.balance_minor > 0 AND NOT b.disputed
      AND (d.offset_days <= 0 OR NOT EXISTS (
          SELECT FROM public.contact_notes n
          JOIN public.tenants t ON t.id = for_tenant
          WHERE n.tenant_id = for_tenant AND n.client_id = d.client_id
            AND n.outcome = 'promise_to_pay'
            AND public.local_date(n.noted_at, t.time_zone) <= as_of
            AND n.promise_date + grace_days >= as_of))
    ON CONFLICT (tenant_id, invoice_id, offset_days) DO NOTHING;
    GET DIAGNOSTICS queued = ROW_COUNT;
    RETURN queued;
END
$function$;
