-- local_date: THE rule of a tenant's day: the calendar date of an instant in an IANA time zone ("today" for a tenant is local_date(now(), its zone)).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.local_date(at timestamp with time zone, zone text)
 RETURNS date
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select (at at time zone zone)::date
$function$;
