-- 0004_worker.sql: what the daily worker stores.
--
-- A tenant's day (tenant, job, as_of) commits in ONE transaction: its late fees,
-- its promise decisions, its ageing and KPI snapshots, and the tenant_days row
-- that marks it done. Every write is keyed on (tenant, as_of, ...) and upserted,
-- so rerunning a day, or running it after a crash mid-way, leaves identical rows.

-- One row per worker process run (not tenant data: no tenant_id, no RLS).
CREATE TABLE worker_runs (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    mode                text        NOT NULL CHECK (mode IN ('run', 'serve')),
    as_of_from          date,
    as_of_to            date,
    tenant_slug         text,
    host                text,
    pid                 int,
    tenant_days_done    int         NOT NULL DEFAULT 0,
    tenant_days_skipped int         NOT NULL DEFAULT 0,
    tenant_days_failed  int         NOT NULL DEFAULT 0,
    status              text        NOT NULL DEFAULT 'running'
                                    CHECK (status IN ('running', 'succeeded', 'failed')),
    CONSTRAINT worker_runs_dates_check CHECK (as_of_to IS NULL OR as_of_from <= as_of_to)
);

CREATE INDEX worker_runs_started_idx ON worker_runs (started_at);

-- Days done, per tenant and job.
CREATE TABLE tenant_days (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job          text        NOT NULL CHECK (job IN ('daily')),
    as_of        date        NOT NULL,
    run_id       uuid,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms  int         NOT NULL CHECK (duration_ms >= 0),
    rows_written int         NOT NULL CHECK (rows_written >= 0),
    PRIMARY KEY (tenant_id, job, as_of)
);

-- The last failure of a tenant's day (written in its own transaction after the
-- day's transaction rolled back); removed when the day later succeeds.
CREATE TABLE tenant_day_failures (
    tenant_id uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job       text        NOT NULL CHECK (job IN ('daily')),
    as_of     date        NOT NULL,
    run_id    uuid,
    failed_at timestamptz NOT NULL DEFAULT now(),
    error     text        NOT NULL CHECK (char_length(error) <= 2000),
    PRIMARY KEY (tenant_id, job, as_of)
);

-- Ageing per currency as of a day; bucket_minor[i] pairs with bucket_limits.
CREATE TABLE ageing_snapshots (
    tenant_id              uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    as_of                  date        NOT NULL,
    currency               char(3)     NOT NULL REFERENCES currencies (code),
    bucket_limits          int[]       NOT NULL,
    total_minor            bigint      NOT NULL,
    current_minor          bigint      NOT NULL,
    bucket_minor           bigint[]    NOT NULL,
    disputed_minor         bigint      NOT NULL,
    unapplied_credit_minor bigint      NOT NULL,
    computed_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, as_of, currency)
);

CREATE TABLE client_ageing_snapshots (
    tenant_id              uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    as_of                  date        NOT NULL,
    client_id              uuid        NOT NULL,
    currency               char(3)     NOT NULL REFERENCES currencies (code),
    bucket_limits          int[]       NOT NULL,
    total_minor            bigint      NOT NULL,
    current_minor          bigint      NOT NULL,
    bucket_minor           bigint[]    NOT NULL,
    disputed_minor         bigint      NOT NULL,
    unapplied_credit_minor bigint      NOT NULL,
    computed_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, as_of, client_id, currency),
    CONSTRAINT client_ageing_snapshots_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE kpi_snapshots (
    tenant_id               uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    as_of                   date        NOT NULL,
    currency                char(3)     NOT NULL REFERENCES currencies (code),
    dso_period_days         int         NOT NULL,
    cei_period_days         int         NOT NULL,
    ar_minor                bigint      NOT NULL,
    current_minor           bigint      NOT NULL,
    credit_sales_minor      bigint      NOT NULL,
    dso                     numeric,
    countback_dso           numeric,
    best_possible_dso       numeric,
    average_days_delinquent numeric,
    cei                     numeric,
    percent_current         numeric,
    bad_debt_ratio          numeric,
    promise_kept_rate       numeric,
    csat_percent            numeric,
    csat_average            numeric,
    csat_count              int         NOT NULL,
    promise_grace_days      int         NOT NULL,
    cei_opening_ar_minor    bigint      NOT NULL,
    cei_credit_sales_minor  bigint      NOT NULL,
    write_offs_minor        bigint      NOT NULL,
    promises_due            int         NOT NULL,
    promises_kept           int         NOT NULL,
    computed_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, as_of, currency)
);

-- Satisfaction has no currency: stored once per day, also for a tenant with no
-- currency rows yet.
CREATE TABLE csat_snapshots (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    as_of        date        NOT NULL,
    csat_percent numeric,
    csat_average numeric,
    csat_count   int         NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, as_of)
);

-- A promise to pay, decided once its date plus the tenant's grace has passed.
-- decided_on is that day (promise_date + grace + 1), not the day the worker ran,
-- so a backfill decides exactly what daily runs would have.
CREATE TABLE promise_outcomes (
    tenant_id  uuid    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    note_id    uuid    NOT NULL,
    client_id  uuid    NOT NULL,
    state      text    NOT NULL CHECK (state IN ('kept', 'broken')),
    decided_on date    NOT NULL,
    paid_minor bigint  NOT NULL CHECK (paid_minor >= 0),
    PRIMARY KEY (tenant_id, note_id),
    CONSTRAINT promise_outcomes_note_fkey FOREIGN KEY (tenant_id, note_id)
        REFERENCES contact_notes (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT promise_outcomes_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id)
);

CREATE INDEX promise_outcomes_client_idx ON promise_outcomes (tenant_id, client_id, decided_on)
    INCLUDE (state);

-- Row-level security, as in 0001, for every tenant table added here.
DO $rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY array['tenant_days', 'tenant_day_failures', 'ageing_snapshots',
                             'client_ageing_snapshots', 'kpi_snapshots', 'csat_snapshots',
                             'promise_outcomes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = current_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format(
            'CREATE POLICY tenant_active ON %I AS RESTRICTIVE TO collections_app'
            ' USING ((select current_tenant_is_active()))'
            ' WITH CHECK ((select current_tenant_is_active()))', t);
        EXECUTE format('REVOKE ALL ON %I FROM collections_app', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO collections_app', t);
    END LOOP;
END
$rls$;

REVOKE ALL ON worker_runs FROM collections_app;
GRANT SELECT, INSERT, UPDATE ON worker_runs TO collections_app;
