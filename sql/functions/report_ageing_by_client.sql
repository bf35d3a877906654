-- report_ageing_by_client: The live ageing report per client and currency as of a date.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_ageing_by_client(as_of date, bucket_limits integer[])
 RETURNS TABLE(client_id uuid, currency character, total_minor bigint, current_minor bigint, bucket_minor bigint[], disputed_minor bigint, unapplied_credit_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with lines as (
        select b.client_id, b.currency,
               public.report_bucket(b.days_past_due, bucket_limits) as bucket,
               public.report_sum(b.balance_minor) as amount,
               public.report_sum(b.balance_minor) filter (where b.disputed) as disputed
        from public.report_invoice_balances(as_of) b
        group by 1, 2, 3
    ),
    totals as (
        select l.client_id, l.currency, public.report_sum(l.amount) as total,
               public.report_sum(l.amount) filter (where l.bucket = 0) as current,
               public.report_sum(l.disputed) as disputed,
               array_agg(l.bucket) as buckets, array_agg(l.amount) as amounts
        from lines l
        group by 1, 2
    ),
    credit as (
        select pc.client_id, pc.currency, public.report_sum(pc.unapplied_credit_minor) as unapplied
        from public.report_payment_credit(as_of) pc
        group by 1, 2
    )
    select coalesce(t.client_id, c.client_id),
           coalesce(t.currency, c.currency),
           coalesce(t.total, 0)::bigint,
           coalesce(t.current, 0)::bigint,
           public.report_bucket_array(t.buckets, t.amounts, cardinality(bucket_limits) + 1),
           coalesce(t.disputed, 0)::bigint,
           coalesce(c.unapplied, 0)::bigint
    from totals t
    full join credit c on c.client_id = t.client_id and c.currency = t.currency
    where coalesce(t.total, 0) <> 0 or coalesce(t.disputed, 0) <> 0 or coalesce(c.unapplied, 0) <> 0
$function$;
