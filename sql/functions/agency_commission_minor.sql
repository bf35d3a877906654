-- agency_commission_minor: THE commission on a payment an agency collected: amount x basis points / 10000, rounded half to even once (money_round_half_even), in integer minor units.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- Computed per payment when its remittance is recorded (Agencies.remit) and
-- stored with the basis points it used, so a later change of the agency's rate
-- never rewrites what was owed. numeric inside money_round_half_even: no
-- overflow, no floating point.
CREATE OR REPLACE FUNCTION public.agency_commission_minor(amount_minor bigint, commission_bp integer)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE STRICT PARALLEL SAFE
AS $function$
    select public.money_round_half_even(amount_minor::numeric * commission_bp, 10000)
$function$;
