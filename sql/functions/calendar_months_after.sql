-- calendar_months_after: THE calendar step of whole months: the same day of the month n months later, clamped to that month's last day (Jan 31 + 1 month = Feb 28 or 29).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Always counted from the first day, never step by step (Jan 31, Feb 28, Mar 31:
-- stepping would give Mar 28). Late fees' monthly periods and monthly plan
-- instalments use it.
CREATE OR REPLACE FUNCTION public.calendar_months_after(from_day date, months integer)
 RETURNS date
 LANGUAGE sql
 IMMUTABLE STRICT PARALLEL SAFE
AS $function$
    select (from_day + make_interval(months => months))::date
$function$;
