-- report_bucket_array: Amounts per bucket index as an array of n buckets.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_bucket_array(buckets integer[], amounts bigint[], n integer)
 RETURNS bigint[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select array(
        select coalesce(amounts[array_position(buckets, s.bucket)], 0)
        from generate_series(1, n) as s(bucket)
        order by s.bucket)
$function$;
