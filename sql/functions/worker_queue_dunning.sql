-- worker_queue_dunning: Stores a day's dunning as dunning_plan decides it: its messages (one per client, channel and day, with their invoices) and its suppressions, decided once, by the run of the day before.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The run that closes a tenant's day D (serve makes it just after D's local
-- midnight) queues the messages of D + 1, to go out that day within its contact
-- hours: for_day is D + 1. They are decided once, by the first run of D that
-- completes: a rerun or a backfill of a day done (tenant_days) stores nothing, so
-- nothing is queued twice and nothing decided is undone, whatever changed since. A
-- message's step and template are those of the last step, in the policy's order,
-- among its lines: its invoices (dunning_message_invoices) and the plan
-- instalments it reminds of (dunning_message_instalments, sql/0024). Emails and texts are queued for the sender (the outbox,
-- sql/0015); letters and calls are tasks for a collector. The same first run tells
-- lenders of the invoices overdue on D (webhook_invoices_overdue). Returns how many
-- messages were stored.
CREATE OR REPLACE FUNCTION public.worker_queue_dunning(for_tenant uuid, for_day date, grace_days integer)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    queued int;
BEGIN
    IF EXISTS (SELECT FROM public.tenant_days d
               WHERE d.tenant_id = for_tenant AND d.job = 'daily' AND d.as_of = for_day - 1) THEN
        RETURN 0;
    END IF;
    -- The day's overdue invoices are told to lenders once, as its dunning is decided once.
    PERFORM public.webhook_invoices_overdue(for_tenant, for_day - 1);
    WITH plan AS MATERIALIZED (
        SELECT * FROM public.dunning_plan(for_tenant, for_day, grace_days)
    ),
    messages AS (
        INSERT INTO public.dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step,
                                             template, address, time_zone, send_from, send_until, status)
        SELECT DISTINCT ON (p.client_id, p.channel)
               for_tenant, p.client_id, p.channel, for_day, p.policy_version, p.step,
               p.template, p.address, p.time_zone, p.send_from, p.send_until,
               CASE WHEN p.channel IN ('letter', 'call') THEN 'task' ELSE 'queued' END
        FROM plan p
        WHERE p.rule IS NULL
        ORDER BY p.client_id, p.channel, p.step_position DESC
        RETURNING 1
    ),
    lines AS (
        INSERT INTO public.dunning_message_invoices (tenant_id, client_id, channel, scheduled_on, invoice_id, step,
                                                     offset_days, currency, balance_minor)
        SELECT for_tenant, p.client_id, p.channel, for_day, p.invoice_id, p.step, p.offset_days,
               p.currency, p.balance_minor
        FROM plan p
        WHERE p.rule IS NULL AND p.invoice_id IS NOT NULL
        RETURNING 1
    ),
    instalment_lines AS (
        INSERT INTO public.dunning_message_instalments (tenant_id, client_id, channel, scheduled_on, plan_id, seq,
                                                        step, offset_days, currency, balance_minor)
        SELECT for_tenant, p.client_id, p.channel, for_day, p.plan_id, p.instalment_seq, p.step, p.offset_days,
               p.currency, p.balance_minor
        FROM plan p
        WHERE p.rule IS NULL AND p.plan_id IS NOT NULL
        RETURNING 1
    ),
    suppressed AS (
        INSERT INTO public.dunning_suppressions (tenant_id, client_id, channel, scheduled_on, invoice_id,
                                                 policy_version, step, offset_days, rule, reason, currency,
                                                 balance_minor)
        SELECT for_tenant, p.client_id, p.channel, for_day, p.invoice_id, p.policy_version, p.step,
               p.offset_days, p.rule, p.reason, p.currency, p.balance_minor
        FROM plan p
        WHERE p.rule IS NOT NULL AND p.invoice_id IS NOT NULL
        RETURNING 1
    ),
    instalments_suppressed AS (
        INSERT INTO public.dunning_instalment_suppressions (tenant_id, client_id, channel, scheduled_on, plan_id, seq,
                                                            policy_version, step, offset_days, rule, reason, currency,
                                                            balance_minor)
        SELECT for_tenant, p.client_id, p.channel, for_day, p.plan_id, p.instalment_seq, p.policy_version, p.step,
               p.offset_days, p.rule, p.reason, p.currency, p.balance_minor
        FROM plan p
        WHERE p.rule IS NOT NULL AND p.plan_id IS NOT NULL
        RETURNING 1
    )
    -- Every part of a WITH runs to completion, read or not.
    SELECT count(*) INTO queued FROM messages;
    RETURN queued;
END
$function$;
