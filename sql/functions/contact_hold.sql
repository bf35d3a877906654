-- contact_hold: THE hold that keeps a client from contact on a day, if any: the gravest of those running (deceased, bankruptcy, attorney, cease communication, dispute under verification), the earliest placed first.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A hold runs from starts_on until the day before ends_on (NULL: until ended).
CREATE OR REPLACE FUNCTION public.contact_hold(for_tenant uuid, for_client uuid, on_day date)
 RETURNS TABLE(kind text, starts_on date, ends_on date)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select h.kind, h.starts_on, h.ends_on
    from public.client_holds h
    where h.tenant_id = for_tenant and h.client_id = for_client
      and public.report_counts(h.starts_on, h.ends_on, on_day)
    order by array_position(array['deceased', 'bankruptcy', 'attorney', 'cease_communication', 'dispute_verification'],
                            h.kind),
             h.starts_on, h.id
    limit 1
$function$;
