-- contact_standing: THE client standing rule: whether a client's own standing (do not contact, closed, on hold, with an agency) refuses every contact, and by which rule.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- The day's gate (dunning_plan) and the sender's check at send time
-- (delivery_gate) both ask it; NULL: the standing allows contact. Plain SQL, so the
-- planner inlines it into the gate's per-line CASE.
CREATE OR REPLACE FUNCTION public.contact_standing(do_not_contact boolean, client_status text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select case
               when do_not_contact then 'do_not_contact'
               when client_status = 'closed' then 'client_closed'
               when client_status = 'on_hold' then 'client_on_hold'
               when client_status = 'agency' then 'placed_with_agency'
           end
$function$;
