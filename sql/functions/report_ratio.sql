-- report_ratio: A ratio rounded to 2 places; NULL when the denominator is 0 (DESIGN.md "KPI definitions").
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_ratio(numerator numeric, denominator numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select case when denominator <> 0
                then round(numerator::numeric(1000, 30) / denominator, 2) end
$function$;
