-- report_counts: THE rule of when a dated fact counts: from its date on, until the day it ends (a payment's reversal, a dispute's resolution), exclusive.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- "An application counts unless its payment was reversed by D", "a dispute is
-- open at D": a fact dated on_date that ends on ends_on (NULL: never) counts at
-- d when on_date <= d < ends_on. Inlined by the planner (plain SQL, IMMUTABLE).
CREATE OR REPLACE FUNCTION public.report_counts(on_date date, ends_on date, d date)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select on_date <= d and (ends_on is null or ends_on > d)
$function$;
