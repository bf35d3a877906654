-- time_zone_known: THE check of a time zone name (a tenant's, a client's): whether PostgreSQL knows it, as AT TIME ZONE takes it.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Names of the IANA database (America/Chicago, Pacific/Honolulu, Asia/Kathmandu,
-- UTC): a name must start with a letter and hold only letters, digits, '/', '_',
-- '+' and '-' (so a POSIX specification PostgreSQL takes, EST5EDT, passes too). Trying the conversion costs microseconds;
-- a lookup in pg_timezone_names about 50 ms.
CREATE OR REPLACE FUNCTION public.time_zone_known(zone text)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
begin
    if zone is null or zone !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' or char_length(zone) > 64 then
        return false;
    end if;
    perform now() at time zone zone;
    return true;
exception when invalid_parameter_value then
    return false;
end
$function$;
