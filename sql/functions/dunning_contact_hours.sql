-- dunning_contact_hours: THE contact hours: from 08:00 to 21:00 local time in an IANA zone on a day, as instants (Regulation F's convenient hours, for every client).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The day's queue records them (dunning_plan's send_from and send_until) and the
-- sender checks them again when it sends: a message goes at or after opens_at and
-- before closes_at. On a day the clocks change the hours are still 08:00 and 21:00
-- on the wall clock (13 or 14 hours of instants where the change falls between).
CREATE OR REPLACE FUNCTION public.dunning_contact_hours(on_day date, zone text)
 RETURNS TABLE(opens_at timestamp with time zone, closes_at timestamp with time zone)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select (on_day + time '08:00') at time zone zone, (on_day + time '21:00') at time zone zone
$function$;
