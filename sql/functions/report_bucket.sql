-- report_bucket: The index of the ageing bucket of a number of days past due (0: current).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_bucket(days_past_due integer, bucket_limits integer[])
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select case when days_past_due <= 0 then 0
                else 1 + width_bucket(days_past_due - 1, bucket_limits) end
$function$;
