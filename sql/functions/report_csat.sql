-- report_csat: Customer satisfaction over the DSO period ending at as_of.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
CREATE OR REPLACE FUNCTION public.report_csat(for_tenant uuid, as_of date, dso_days integer, zone text)
 RETURNS TABLE(csat_percent numeric, csat_average numeric, csat_count integer)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select public.report_ratio(100 * count(*) filter (where n.satisfaction >= 4), count(*)),
           public.report_ratio(sum(n.satisfaction), count(*)),
           count(*)::int
    from public.contact_notes n
    where n.tenant_id = for_tenant
      and n.satisfaction is not null
      -- A day wider on each side than the period, for the index on noted_at
      -- (local midnight moves with daylight saving time) ...
      and n.noted_at >= (as_of - dso_days)::timestamp at time zone zone
      and n.noted_at < (as_of + 2)::timestamp at time zone zone
      -- ... and the exact rule: the note's local date is in the period.
      and public.local_date(n.noted_at, zone) between as_of - dso_days + 1 and as_of
$function$;
