-- report_ageing_by_client: The live ageing report per client and currency as of a date: report_day's client rows.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_ageing_by_client(for_tenant uuid, as_of date, bucket_limits integer[])
 RETURNS TABLE(client_id uuid, currency character, total_minor bigint, current_minor bigint, bucket_minor bigint[], disputed_minor bigint, unapplied_credit_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select d.client_id, d.currency, d.total_minor, d.current_minor, d.bucket_minor, d.disputed_minor,
           d.unapplied_credit_minor
    from public.report_day(for_tenant, as_of, bucket_limits, 1, 1, 0, 'UTC') d
    where d.kind = 'client'
$function$;
