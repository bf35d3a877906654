-- webhook_promises_broken: Trigger, once per insert or update statement on promise_outcomes: a promise.broken event per promise decided broken, in the worker's day transaction.
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- A promise breaks when its deadline passes short (worker_decide_promises inserts
-- it broken) or when a payment it counted is reversed (worker_break_bounced_promises
-- updates it from kept). Either way it breaks once: the fact key is its note. The
-- tenant is each row's own (never the setting).
--
-- What a statement that reads a table needs of the transition table it takes as
-- arrays, read from the transition table alone first: on Citus the trigger runs
-- on the shard, and a statement that joins the transition table to a distributed
-- table fails there ("executor could not find named tuplestore",
-- deploy/citus/README.md).
CREATE OR REPLACE FUNCTION public.webhook_promises_broken()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
    tenants uuid[];
begin
    select array_agg(distinct n.tenant_id) into tenants from new_rows n where n.state = 'broken';
    if tenants is null or not exists (select from public.webhook_endpoints e where e.tenant_id = any (tenants)) then
        return null;
    end if;
    if tg_op = 'INSERT' then
        perform public.webhook_emit(o.tenant_id, 'promise.broken',
                                    array_agg(public.webhook_promise_payload(o.tenant_id, o.note_id)),
                                    array_agg(o.note_id::text))
        from new_rows o
        where o.state = 'broken'
        group by o.tenant_id;
    else
        perform public.webhook_emit(o.tenant_id, 'promise.broken',
                                    array_agg(public.webhook_promise_payload(o.tenant_id, o.note_id)),
                                    array_agg(o.note_id::text))
        from new_rows o
        join old_rows b on b.tenant_id = o.tenant_id and b.note_id = o.note_id
        where o.state = 'broken' and b.state <> 'broken'
        group by o.tenant_id;
    end if;
    return null;
end
$function$;
