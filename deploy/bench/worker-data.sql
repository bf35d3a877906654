-- worker-data.sql: a realistic multi-tenant book for the worker benchmark
-- (deploy/bench/worker.sh). Run as a superuser on a freshly migrated database:
--
--   psql -v tenants=1000 -v invoices=5000 -v as_of=2025-06-30 -f worker-data.sql
--
-- Per tenant: invoices/100 clients (at least 5), `invoices` invoices issued over
-- the 365 days ending on as_of, and what happens to them up to as_of: most paid
-- on time, some late, some in part, some never; a few payments reversed or
-- applied some days after they arrived (unapplied credit meanwhile), a few
-- overpaid; disputes (most resolved), write-offs of old unpaid balances,
-- collector notes (promises to pay, unanswered calls) and satisfaction scores.
-- About one tenant in five bills some clients in a second currency; tenants
-- differ in time zone, ageing buckets, DSO period and promise grace days. Some
-- invoices carry late-fee policies: the worker itself accrues those fees.
--
-- Everything is set-based and deterministic (hashes of tenant and invoice
-- numbers, no random()), except the uuids. Rows are inserted in date order with
-- tenants interleaved, as a real shared instance receives them, so one tenant's
-- rows spread over the whole table (PERFORMANCE-NOTES).
--
-- Superusers bypass row-level security. Foreign-key and trigger checks are
-- switched off for the load (session_replication_role = replica): the rows are
-- consistent by construction, and the last statement checks the references.

\set ON_ERROR_STOP on
\timing off
SET client_min_messages = warning;
SET session_replication_role = replica;
SET synchronous_commit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '1GB';

DROP SCHEMA IF EXISTS bench_gen CASCADE;
CREATE SCHEMA bench_gen;

-- Uniform in [0, 1) from an integer and a salt: deterministic, well mixed.
CREATE FUNCTION bench_gen.u(a bigint, salt int) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ select (hashint8extended(a, salt) & 9007199254740991)::float8 / 9007199254740992.0 $$;

CREATE TABLE bench_gen.params AS
SELECT :tenants::int AS tenants, :invoices::int AS invoices,
       greatest(5, :invoices::int / 100) AS clients, :'as_of'::date AS as_of;

------------------------------------------------------------------------------
-- Tenants and clients.
------------------------------------------------------------------------------

CREATE UNLOGGED TABLE bench_gen.t AS
SELECT n, gen_random_uuid() AS id,
       CASE WHEN n % 10 = 3 THEN 'EUR' WHEN n % 25 = 7 THEN 'GBP' ELSE 'USD' END::char(3) AS currency,
       -- one tenant in five has clients billed in a second currency
       CASE WHEN n % 5 = 1 THEN CASE WHEN n % 10 = 3 THEN 'USD' ELSE 'EUR' END END::char(3) AS second_currency,
       (array['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London',
              'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'])[1 + n % 8] AS time_zone
FROM generate_series(1, (SELECT tenants FROM bench_gen.params)) AS n;
ANALYZE bench_gen.t;

INSERT INTO tenants (id, slug, name, default_currency, time_zone, ageing_bucket_limits,
                     dso_period_days, cei_period_days, promise_grace_days)
SELECT t.id, 'bench-' || lpad(t.n::text, 5, '0'), 'Bench lender ' || t.n, t.currency, t.time_zone,
       CASE WHEN t.n % 20 = 5 THEN '{15,30,60,90,120}'::int[] ELSE '{30,60,90}'::int[] END,
       CASE WHEN t.n % 10 = 4 THEN 60 WHEN t.n % 10 = 8 THEN 120 ELSE 90 END,
       30,
       CASE WHEN t.n % 5 = 2 THEN 3 ELSE 0 END
FROM bench_gen.t t ORDER BY t.n;

CREATE UNLOGGED TABLE bench_gen.c AS
SELECT t.n AS tn, c AS cn, t.id AS tenant_id, gen_random_uuid() AS id, t.time_zone,
       CASE WHEN t.second_currency IS NOT NULL AND bench_gen.u(t.n * 100000 + c, 1) < 0.25
            THEN t.second_currency ELSE t.currency END::char(3) AS currency,
       (array[30, 30, 30, 15, 45, 60])[1 + floor(bench_gen.u(t.n * 100000 + c, 2) * 6)::int] AS terms
FROM bench_gen.t t
CROSS JOIN generate_series(1, (SELECT clients FROM bench_gen.params)) AS c;
ANALYZE bench_gen.c;

INSERT INTO clients (tenant_id, id, ref, name, email, payment_terms_days, currency, created_at, updated_at)
SELECT c.tenant_id, c.id, 'C' || lpad(c.cn::text, 4, '0'), 'Client ' || c.cn || ' of lender ' || c.tn,
       'ap' || c.cn || '@client.example', c.terms, c.currency,
       now() - interval '400 days', now() - interval '400 days'
FROM bench_gen.c c ORDER BY c.cn, c.tn;

------------------------------------------------------------------------------
-- Dunning (sql/0014): every tenant's version 1 is its reminder days as email
-- steps, as TenantRegistry.create makes it; one tenant in three is a consumer
-- lender with version 2: email, SMS, calls and a letter, SMS consent from 60% of
-- its clients (a few since revoked) and holds on 2%.
------------------------------------------------------------------------------

INSERT INTO dunning_policies (tenant_id, version, created_by)
SELECT t.id, v, 'bench' FROM bench_gen.t t CROSS JOIN generate_series(1, CASE WHEN t.n % 3 = 0 THEN 2 ELSE 1 END) v;
INSERT INTO dunning_steps (tenant_id, version, position, name, offset_days, channel, template, applies_to)
SELECT t.id, 1, s.position, s.name, s.offset_days, 'email',
       CASE WHEN s.offset_days < 0 THEN 'reminder_before_due' ELSE 'reminder_overdue' END, 'both'
FROM bench_gen.t t
CROSS JOIN (VALUES (1, '3 days before due', -3), (2, '1 day past due', 1), (3, '7 days past due', 7),
                   (4, '14 days past due', 14), (5, '30 days past due', 30)) AS s(position, name, offset_days);
INSERT INTO dunning_steps (tenant_id, version, position, name, offset_days, channel, template, applies_to)
SELECT t.id, 2, s.position, s.name, s.offset_days, s.channel, s.template, s.applies_to
FROM bench_gen.t t
CROSS JOIN (VALUES (1, 'due soon', -3, 'email', 'before_due', 'both'), (2, 'due soon text', -1, 'sms', 'text', 'consumer'),
                   (3, 'first overdue', 1, 'email', 'overdue', 'both'), (4, 'overdue text', 3, 'sms', 'text', 'consumer'),
                   (5, 'first call', 7, 'call', 'call', 'both'), (6, 'second overdue', 14, 'email', 'overdue_2', 'both'),
                   (7, 'demand letter', 30, 'letter', 'demand', 'both'))
     AS s(position, name, offset_days, channel, template, applies_to)
WHERE t.n % 3 = 0;
INSERT INTO dunning_step_minimums (tenant_id, version, position, currency, minimum_minor)
SELECT t.id, 2, 7, t.currency, 5000 FROM bench_gen.t t WHERE t.n % 3 = 0;
UPDATE tenants tn SET client_kind = 'consumer' FROM bench_gen.t t WHERE tn.id = t.id AND t.n % 3 = 0;
UPDATE clients cl SET phone = '+1-555-' || lpad(c.cn::text, 4, '0')
FROM bench_gen.c c WHERE cl.tenant_id = c.tenant_id AND cl.id = c.id AND c.tn % 3 = 0;
INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
SELECT c.tenant_id, c.id, 'sms', '+1-555-' || lpad(c.cn::text, 4, '0'), bench_gen.u(c.tn * 100000 + c.cn, 41) >= 0.05,
       'bench', now() - interval '300 days'
FROM bench_gen.c c WHERE c.tn % 3 = 0 AND bench_gen.u(c.tn * 100000 + c.cn, 40) < 0.6;
INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, recorded_by)
SELECT c.tenant_id, c.id, (array['attorney', 'bankruptcy', 'cease_communication'])[1 + c.cn % 3],
       (SELECT as_of FROM bench_gen.params) - 60, 'bench'
FROM bench_gen.c c WHERE c.tn % 3 = 0 AND bench_gen.u(c.tn * 100000 + c.cn, 42) < 0.02;

------------------------------------------------------------------------------
-- Invoices, with what will happen to each (its "fate").
------------------------------------------------------------------------------

-- x = a unique integer per invoice; r1..r8 independent uniforms of it.
CREATE UNLOGGED TABLE bench_gen.inv AS
SELECT s.*, s.issued_on + c.terms AS due_on, c.id AS client_id, c.currency, c.time_zone,
       gen_random_uuid() AS id
FROM (
    SELECT t.n AS tn, k, t.id AS tenant_id,
           t.n::bigint * 10000000 + k AS x,
           1 + floor(bench_gen.u(t.n::bigint * 10000000 + k, 11) * p.clients)::int AS cn,
           p.as_of - floor(bench_gen.u(t.n::bigint * 10000000 + k, 12) * 365)::int AS issued_on,
           -- amounts from 20.00 to 50,000.00, most of them small
           (2000 + floor(power(bench_gen.u(t.n::bigint * 10000000 + k, 13), 3) * 4998000))::bigint AS amount_minor,
           bench_gen.u(t.n::bigint * 10000000 + k, 14) AS fate,
           bench_gen.u(t.n::bigint * 10000000 + k, 15) AS r1,
           bench_gen.u(t.n::bigint * 10000000 + k, 16) AS r2,
           bench_gen.u(t.n::bigint * 10000000 + k, 17) AS r3,
           bench_gen.u(t.n::bigint * 10000000 + k, 18) AS r4,
           bench_gen.u(t.n::bigint * 10000000 + k, 19) AS r5,
           p.as_of
    FROM bench_gen.params p
    CROSS JOIN bench_gen.t t
    CROSS JOIN generate_series(1, p.invoices) AS k
) s
JOIN bench_gen.c c ON c.tn = s.tn AND c.cn = s.cn;

ANALYZE bench_gen.inv;

-- Fate (before as_of cuts it short):
--   < 0.01 void (issued in error, voided 1-5 days later)
--   < 0.63 paid in full by the due date
--   < 0.80 paid in full 1-90 days late
--   < 0.86 paid in part around the due date, the rest 20-80 days late
--   < 0.90 paid in part, never the rest (old remainders written off)
--   < 0.95 paid in full 90-200 days late
--   else   never paid (old ones written off)
INSERT INTO invoices (tenant_id, id, client_id, number, currency, amount_minor, issued_on, due_on,
                      late_fee_policy, late_fee_flat_minor, late_fee_percent_bp, late_fee_grace_days,
                      voided_on, void_reason, created_at)
SELECT i.tenant_id, i.id, i.client_id, 'INV-' || lpad(i.k::text, 7, '0'), i.currency, i.amount_minor,
       i.issued_on, i.due_on,
       CASE WHEN i.r5 < 0.08 THEN 'flat' WHEN i.r5 < 0.15 THEN 'percent' ELSE 'none' END,
       CASE WHEN i.r5 < 0.08 THEN 2500 END,
       CASE WHEN i.r5 >= 0.08 AND i.r5 < 0.15 THEN 150 END,
       CASE WHEN i.r5 < 0.15 THEN (floor(i.r4 * 3) * 5)::int ELSE 0 END,
       CASE WHEN i.fate < 0.01 AND i.issued_on + 1 + floor(i.r1 * 5)::int <= i.as_of
            THEN i.issued_on + 1 + floor(i.r1 * 5)::int END,
       CASE WHEN i.fate < 0.01 AND i.issued_on + 1 + floor(i.r1 * 5)::int <= i.as_of
            THEN 'issued in error' END,
       i.issued_on::timestamp + interval '10 hours'
FROM bench_gen.inv i
ORDER BY i.issued_on, i.tn, i.k;

------------------------------------------------------------------------------
-- Payments and their applications.
------------------------------------------------------------------------------

-- Up to two payments per invoice. applied: the part applied to the invoice
-- (an overpayment leaves the rest as unapplied credit); applied_on: usually the
-- day received, sometimes a few days later (credit meanwhile).
CREATE UNLOGGED TABLE bench_gen.pay AS
SELECT p.*, gen_random_uuid() AS id,
       -- 3% applied 1-5 days after receipt (not yet, when that is after as_of)
       CASE WHEN bench_gen.u(p.x * 4 + p.seq, 21) < 0.03
            THEN p.received_on + 1 + floor(bench_gen.u(p.x * 4 + p.seq, 22) * 5)::int
            ELSE p.received_on END AS applied_on,
       -- 0.4% bounce 2-10 days later (if that is on or before as_of)
       CASE WHEN bench_gen.u(p.x * 4 + p.seq, 23) < 0.004
             AND p.received_on + 2 + floor(bench_gen.u(p.x * 4 + p.seq, 24) * 9)::int <= p.as_of
            THEN p.received_on + 2 + floor(bench_gen.u(p.x * 4 + p.seq, 24) * 9)::int END AS reversed_on
FROM (
    SELECT i.tn, i.k, i.tenant_id, i.client_id, i.id AS invoice_id, i.currency, i.x, i.as_of, v.seq,
           v.received_on, v.amount_minor, v.applied_minor
    FROM bench_gen.inv i
    CROSS JOIN LATERAL (VALUES
        -- first (or only) payment
        (1,
         CASE WHEN i.fate < 0.01 THEN NULL
              WHEN i.fate < 0.63 THEN i.issued_on + floor(i.r1 * ((i.due_on - i.issued_on) + 1))::int
              WHEN i.fate < 0.80 THEN i.due_on + 1 + floor(power(i.r1, 2) * 90)::int
              WHEN i.fate < 0.90 THEN i.due_on - 5 + floor(i.r1 * 25)::int
              WHEN i.fate < 0.95 THEN i.due_on + 90 + floor(i.r1 * 110)::int
         END,
         CASE WHEN i.fate >= 0.80 AND i.fate < 0.90 THEN greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100)
              -- one full payment in 200 is an overpayment by 1-100.00
              WHEN i.r3 < 0.005 THEN i.amount_minor + 100 + floor(i.r2 * 9900)::bigint
              ELSE i.amount_minor END,
         CASE WHEN i.fate >= 0.80 AND i.fate < 0.90 THEN greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100)
              ELSE i.amount_minor END),
        -- the rest of a part-paid invoice
        (2,
         CASE WHEN i.fate >= 0.80 AND i.fate < 0.86 THEN i.due_on + 20 + floor(i.r4 * 60)::int END,
         i.amount_minor - greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100),
         i.amount_minor - greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100))
    ) AS v(seq, received_on, amount_minor, applied_minor)
    WHERE v.received_on IS NOT NULL AND v.received_on <= i.as_of AND v.amount_minor > 0
) p;

ANALYZE bench_gen.pay;

INSERT INTO payments (tenant_id, id, client_id, reference, currency, amount_minor, received_on, method,
                      reversed_on, reversal_reason, created_at)
SELECT p.tenant_id, p.id, p.client_id, 'PAY-' || lpad(p.k::text, 7, '0') || '-' || p.seq, p.currency,
       p.amount_minor, p.received_on,
       (array['ach', 'wire', 'card', 'check'])[1 + (p.x % 4)::int],
       p.reversed_on, CASE WHEN p.reversed_on IS NOT NULL THEN 'returned unpaid' END,
       p.received_on::timestamp + interval '12 hours'
FROM bench_gen.pay p
ORDER BY p.received_on, p.tn, p.k, p.seq;

INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on, created_at)
SELECT p.tenant_id, p.id, p.invoice_id, p.applied_minor, p.applied_on, p.applied_on::timestamp + interval '13 hours'
FROM bench_gen.pay p
WHERE p.applied_on <= p.as_of
ORDER BY p.applied_on, p.tn, p.k, p.seq;

------------------------------------------------------------------------------
-- Disputes and write-offs.
------------------------------------------------------------------------------

-- 1.5% of invoices disputed 2-20 days after the due date; 60% resolved 10-60 days later.
INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on, resolution, created_at)
SELECT d.tenant_id, d.id, d.amount_minor, d.opened_on, 'goods or service disputed',
       CASE WHEN d.resolved_on <= d.as_of THEN d.resolved_on END,
       CASE WHEN d.resolved_on <= d.as_of THEN 'resolved with the client' END,
       d.opened_on::timestamp + interval '11 hours'
FROM (
    SELECT i.*, i.due_on + 2 + floor(bench_gen.u(i.x, 31) * 19)::int AS opened_on,
           CASE WHEN bench_gen.u(i.x, 32) < 0.6
                THEN i.due_on + 2 + floor(bench_gen.u(i.x, 31) * 19)::int + 10 + floor(bench_gen.u(i.x, 33) * 51)::int END
           AS resolved_on
    FROM bench_gen.inv i
    WHERE i.fate >= 0.01 AND bench_gen.u(i.x, 30) < 0.015
) d
WHERE d.opened_on <= d.as_of
ORDER BY d.opened_on, d.tn, d.k;

-- Half of the never-paid invoices 180+ days past due, and half of the part-paid
-- remainders 150+ days past due, written off.
INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason, created_at)
SELECT w.tenant_id, w.id, w.amount, w.written_off_on, w.reason, w.written_off_on::timestamp + interval '15 hours'
FROM (
    SELECT i.*, i.amount_minor AS amount, i.due_on + 180 AS written_off_on, 'uncollectable' AS reason
    FROM bench_gen.inv i
    WHERE i.fate >= 0.95 AND bench_gen.u(i.x, 40) < 0.5
    UNION ALL
    SELECT i.*, i.amount_minor - greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100),
           i.due_on + 150, 'remainder uncollectable'
    FROM bench_gen.inv i
    WHERE i.fate >= 0.86 AND i.fate < 0.90 AND bench_gen.u(i.x, 40) < 0.5
) w
WHERE w.written_off_on <= w.as_of AND w.amount > 0
ORDER BY w.written_off_on, w.tn, w.k;

------------------------------------------------------------------------------
-- Collector notes: promises to pay, unanswered calls, satisfaction scores.
------------------------------------------------------------------------------

-- Scores: 5 35%, 4 30%, 3 15%, 2 10%, 1 10%.
CREATE FUNCTION bench_gen.score(r float8) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ select (case when r < 0.35 then 5 when r < 0.65 then 4 when r < 0.80 then 3 when r < 0.90 then 2 else 1 end)::smallint $$;

INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, direction, author, body, outcome,
                           promise_amount_minor, promise_currency, promise_date, satisfaction, created_at)
SELECT n.tenant_id, n.client_id, n.invoice_id, n.noted_at, n.channel, n.direction, n.author, n.body, n.outcome,
       n.promise_amount_minor, n.promise_currency, n.promise_date, n.satisfaction, n.noted_at
FROM (
    -- half the late invoices: a call 3-12 days past due with a promise to pay
    -- (the whole amount, or the rest of a part payment) 3-14 days later; 40% scored
    SELECT i.tn, i.k, 1 AS seq, i.tenant_id, i.client_id, i.id AS invoice_id,
           ((i.due_on + 3 + floor(bench_gen.u(i.x, 51) * 10)::int)
             + make_interval(hours => 9 + floor(bench_gen.u(i.x, 52) * 9)::int,
                             mins => floor(bench_gen.u(i.x, 53) * 60)::int)) AT TIME ZONE i.time_zone AS noted_at,
           'call' AS channel, 'outbound' AS direction, 'collector ' || (1 + i.x % 7) AS author,
           'Called about ' || 'INV-' || lpad(i.k::text, 7, '0') AS body, 'promise_to_pay' AS outcome,
           CASE WHEN i.fate >= 0.80 AND i.fate < 0.90
                THEN i.amount_minor - greatest(1, (i.amount_minor * (20 + floor(i.r2 * 50)::int)) / 100)
                ELSE i.amount_minor END AS promise_amount_minor,
           i.currency AS promise_currency,
           i.due_on + 3 + floor(bench_gen.u(i.x, 51) * 10)::int + 3 + floor(bench_gen.u(i.x, 54) * 12)::int AS promise_date,
           CASE WHEN bench_gen.u(i.x, 55) < 0.4 THEN bench_gen.score(bench_gen.u(i.x, 56)) END AS satisfaction,
           i.due_on + 3 + floor(bench_gen.u(i.x, 51) * 10)::int AS noted_on, i.as_of
    FROM bench_gen.inv i
    WHERE i.fate >= 0.63 AND bench_gen.u(i.x, 50) < 0.5
    UNION ALL
    -- a fifth of the late invoices: an unanswered call 1-5 days past due
    SELECT i.tn, i.k, 2, i.tenant_id, i.client_id, i.id,
           ((i.due_on + 1 + floor(bench_gen.u(i.x, 61) * 5)::int)
             + make_interval(hours => 9 + floor(bench_gen.u(i.x, 62) * 9)::int)) AT TIME ZONE i.time_zone,
           'call', 'outbound', 'collector ' || (1 + i.x % 7), NULL,
           CASE WHEN bench_gen.u(i.x, 63) < 0.5 THEN 'no_answer' ELSE 'left_message' END,
           NULL, NULL, NULL, NULL,
           i.due_on + 1 + floor(bench_gen.u(i.x, 61) * 5)::int, i.as_of
    FROM bench_gen.inv i
    WHERE i.fate >= 0.63 AND bench_gen.u(i.x, 60) < 0.2
    UNION ALL
    -- 3% of the invoices paid on time: the client scores a portal visit
    SELECT i.tn, i.k, 3, i.tenant_id, i.client_id, i.id,
           ((i.issued_on + 1 + floor(bench_gen.u(i.x, 71) * 20)::int)
             + make_interval(hours => floor(bench_gen.u(i.x, 72) * 24)::int)) AT TIME ZONE i.time_zone,
           'portal', 'inbound', NULL, 'Rated the service', 'other',
           NULL, NULL, NULL, bench_gen.score(bench_gen.u(i.x, 73) * 0.8),
           i.issued_on + 1 + floor(bench_gen.u(i.x, 71) * 20)::int, i.as_of
    FROM bench_gen.inv i
    WHERE i.fate >= 0.01 AND i.fate < 0.63 AND bench_gen.u(i.x, 70) < 0.03
) n
WHERE n.noted_on <= n.as_of
ORDER BY n.noted_at, n.tn, n.k, n.seq;

------------------------------------------------------------------------------
-- Check the references the switched-off triggers would have checked, clean up.
------------------------------------------------------------------------------

RESET session_replication_role;

DO $check$
DECLARE
    bad bigint;
BEGIN
    SELECT (SELECT count(*) FROM invoices i LEFT JOIN clients c ON c.tenant_id = i.tenant_id AND c.id = i.client_id WHERE c.id IS NULL)
         + (SELECT count(*) FROM payments p LEFT JOIN clients c ON c.tenant_id = p.tenant_id AND c.id = p.client_id WHERE c.id IS NULL)
         + (SELECT count(*) FROM payment_applications a
            LEFT JOIN payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id
            LEFT JOIN invoices i ON i.tenant_id = a.tenant_id AND i.id = a.invoice_id
            WHERE p.id IS NULL OR i.id IS NULL OR p.currency <> i.currency OR a.applied_on < p.received_on)
         + (SELECT count(*) FROM contact_notes n
            LEFT JOIN invoices i ON i.tenant_id = n.tenant_id AND i.id = n.invoice_id AND i.client_id = n.client_id
            WHERE n.invoice_id IS NOT NULL AND i.id IS NULL)
    INTO bad;
    IF bad <> 0 THEN
        RAISE EXCEPTION 'generated data has % broken references', bad;
    END IF;
END
$check$;

DROP SCHEMA bench_gen CASCADE;
