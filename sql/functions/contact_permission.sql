-- contact_permission: THE consent reading: the latest consent, revocation or opt-out recorded before an instant for a client's channel and address.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A record about no address (NULL) is about all of the client's; the latest by
-- recorded_at (then by when it was written) decides. No row: nothing recorded, so
-- SMS may not go and the other channels may.
CREATE OR REPLACE FUNCTION public.contact_permission(for_tenant uuid, for_client uuid, for_channel text, for_address text,
                                                     before timestamp with time zone)
 RETURNS TABLE(granted boolean, recorded_at timestamp with time zone, source text)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    select p.granted, p.recorded_at, p.source
    from public.contact_permissions p
    where p.tenant_id = for_tenant and p.client_id = for_client and p.channel = for_channel
      and (p.address is null or p.address = for_address)
      and p.recorded_at < before
    order by p.recorded_at desc, p.created_at desc
    limit 1
$function$;
