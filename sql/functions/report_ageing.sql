-- report_ageing: The live ageing report per currency as of a date: report_day's ageing rows, the very computation the worker stores.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- The periods and grace given to report_day shape only its KPI rows, which the
-- planner leaves uncomputed here (report_day is inlined and the kind filter
-- prunes the other branches).
CREATE OR REPLACE FUNCTION public.report_ageing(for_tenant uuid, as_of date, bucket_limits integer[])
 RETURNS TABLE(currency character, total_minor bigint, current_minor bigint, bucket_minor bigint[], disputed_minor bigint, unapplied_credit_minor bigint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select d.currency, d.total_minor, d.current_minor, d.bucket_minor, d.disputed_minor, d.unapplied_credit_minor
    from public.report_day(for_tenant, as_of, bucket_limits, 1, 1, 0, 'UTC') d
    where d.kind = 'ageing'
$function$;
