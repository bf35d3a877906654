-- plan_instalments_at: THE payment plan rule: every instalment of the tenant's plans as of as_of (what it has been paid, oldest first; whether it was missed) with its plan's standing then (current, kept, defaulted, cancelled).
--
-- A repeatable function file (sql/functions/): applied by `migrate` after the
-- migrations whenever its checksum changes, in the transaction of the catalog
-- audit; the deployed definition is this file's. Edit it here, never in a migration.
--
-- What a plan has been paid is what was applied to its invoices from the day it
-- was made (report_application_entries, the application entries of every
-- balance, each counting until its payment's reversal: report_counts), given to the instalments oldest
-- first. An instalment is judged the day after its date plus grace_days (its
-- deadline), on what had been paid by the deadline, as that day saw it:
--   missed then (missed_on = deadline + 1) when the plan had been paid less than
--   the instalments due through it; or, when it was paid, missed on the first
--   later day by as_of on which a reversal left what had been paid by its
--   deadline short again (missed_on = that day, as a bounced cheque breaks a
--   promise). A later payment does not mend a missed instalment.
-- Nothing on or after the day a plan is cancelled counts as missed. A plan is
--   defaulted from its first missed instalment's missed_on (defaulted_on), kept
--   from the day after its last instalment's deadline when that was paid
--   (kept_on), cancelled from cancelled_on; defaulted wins over kept (a payment
--   reversed after the plan was kept defaults it), and either over a cancel that
--   came later. ended_on is the first day it was no longer current.
-- Every date here is a fact's, never the day of the asking, so the rows for a
-- day are the same whenever they are asked for: the worker stores them
-- (worker_decide_plans), the gate and late fees skip the invoices of current
-- plans, plan show/list and the KPIs read them.
CREATE OR REPLACE FUNCTION public.plan_instalments_at(for_tenant uuid, as_of date, grace_days integer)
 RETURNS TABLE(plan_id uuid, client_id uuid, currency character(3), made_on date, seq integer, due_on date,
               amount_minor bigint, paid_minor bigint, status text, missed_on date, plan_status text,
               defaulted_on date, kept_on date, ended_on date)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    with plans as (
        select p.id, p.client_id, p.currency, p.made_on, p.cancelled_on
        from public.payment_plans p
        where p.tenant_id = for_tenant and p.made_on <= as_of
    ),
    paid as (
        select pl.id as plan_id, e.amount_minor, e.on_date, e.ends_on
        from plans pl
        join public.plan_invoices pi on pi.tenant_id = for_tenant and pi.plan_id = pl.id
        join public.report_application_entries(for_tenant, as_of) e
          on e.invoice_id = pi.invoice_id and e.on_date >= pl.made_on
    ),
    schedule as (
        select i.plan_id, i.seq, i.due_on, i.amount_minor,
               sum(i.amount_minor) over (partition by i.plan_id order by i.seq) as due_through,
               i.due_on + grace_days as deadline
        from public.plan_instalments i
        join plans pl on pl.id = i.plan_id
        where i.tenant_id = for_tenant
    ),
    judged as (
        select s.*,
               case when s.deadline < as_of then (
                   select coalesce(sum(p.amount_minor), 0) from paid p
                   where p.plan_id = s.plan_id and public.report_counts(p.on_date, p.ends_on, s.deadline))
               end as paid_by_deadline
        from schedule s
    ),
    shortfalls as (
        select j.*,
               case when j.paid_by_deadline < j.due_through then j.deadline + 1
                    when j.paid_by_deadline is not null then (
                        select min(r.ends_on) from paid r
                        where r.plan_id = j.plan_id and r.on_date <= j.deadline
                          and r.ends_on > j.deadline and r.ends_on <= as_of
                          and (select coalesce(sum(q.amount_minor), 0) from paid q
                               where q.plan_id = j.plan_id and q.on_date <= j.deadline
                                 and public.report_counts(q.on_date, q.ends_on, r.ends_on)) < j.due_through)
               end as short_on
        from judged j
    ),
    decided as (
        select f.*, pl.client_id, pl.currency, pl.made_on, pl.cancelled_on,
               case when f.short_on < coalesce(pl.cancelled_on, 'infinity') then f.short_on end as missed,
               case when f.seq = max(f.seq) over (partition by f.plan_id)
                     and f.paid_by_deadline >= f.due_through
                     and f.deadline + 1 < coalesce(pl.cancelled_on, 'infinity') then f.deadline + 1 end as kept,
               (select coalesce(sum(p.amount_minor), 0) from paid p
                where p.plan_id = f.plan_id and public.report_counts(p.on_date, p.ends_on, as_of)) as plan_paid
        from shortfalls f
        join plans pl on pl.id = f.plan_id
    ),
    standing as (
        select d.*, min(d.missed) over (partition by d.plan_id) as plan_defaulted,
               max(d.kept) over (partition by d.plan_id) as plan_kept
        from decided d
    )
    select s.plan_id, s.client_id, s.currency, s.made_on, s.seq, s.due_on, s.amount_minor,
           least(s.amount_minor, greatest(0, s.plan_paid - (s.due_through - s.amount_minor)))::bigint,
           case when s.missed is not null then 'missed'
                when s.plan_paid >= s.due_through then 'paid'
                else 'open' end,
           s.missed,
           case when s.plan_defaulted is not null then 'defaulted'
                when s.plan_kept is not null then 'kept'
                when s.cancelled_on <= as_of then 'cancelled'
                else 'current' end,
           s.plan_defaulted, s.plan_kept,
           least(s.plan_defaulted, s.plan_kept, case when s.cancelled_on <= as_of then s.cancelled_on end)
    from standing s
$function$;
