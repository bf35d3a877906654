-- money_round_half_even: THE rounding of computed money (DESIGN.md "Money and dates"): numerator / denominator in integer minor units, half to even, once, exactly.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- numeric throughout (div and mod are exact on it), so principal x basis points
-- cannot overflow before the division; late fees use it, commissions will. Tests
-- compare it with a Swift oracle over signs, ties and large values.
CREATE OR REPLACE FUNCTION public.money_round_half_even(numerator numeric, denominator numeric)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE STRICT PARALLEL SAFE
AS $function$
    select (sign(numerator) * sign(denominator)
            * (div(abs(numerator), abs(denominator))
               + case when 2 * mod(abs(numerator), abs(denominator)) > abs(denominator)
                        or (2 * mod(abs(numerator), abs(denominator)) = abs(denominator)
                            and mod(div(abs(numerator), abs(denominator)), 2) = 1)
                      then 1 else 0 end))::bigint
$function$;
