-- report_disputed_minor: THE rule of how much of an invoice's balance its open disputes hold out of collection.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
-- held_minor is the sum of the amounts of the disputes open at D (NULL: none).
-- A dispute holds its amount, never more than the balance: a payment, credit or
-- write-off goes to the undisputed part first, so what is left of a balance
-- smaller than the disputed amount is all disputed. What the reports show as
-- disputed, and what late fees and dunning leave alone, is this amount; the rest
-- of the balance is collectible. Inlined by the planner (plain SQL, IMMUTABLE).
CREATE OR REPLACE FUNCTION public.report_disputed_minor(balance_minor bigint, held_minor bigint)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    select least(greatest(balance_minor, 0), coalesce(held_minor, 0))::bigint
$function$;
