-- 0011_least_privilege.sql: each program gets only what it needs.
--
-- Until now the worker and the admin CLI reached the tenant registry and the run
-- log as collections_owner, and collections_app could read and write
-- worker_runs, which names every tenant. From here:
--   * collections_worker (bootstrap.sql) reads the directory of active tenants
--     and writes the run log; nothing else outside its tenant transactions;
--   * collections_registry (bootstrap.sql) creates, configures, suspends and
--     deletes tenants, issues and revokes API keys, and writes their audit rows
--     (with the tenant set, under forced row-level security);
--   * collections_app sees its own tenant's row and keys, never worker_runs;
--   * collections_owner is left to `migrate`.
-- A deleted tenant's rows (its audit trail with them) go with it; a record of
-- the deletion stays in tenant_deletions, which only the registry reads.

-- The registry: every tenant, read and write.
CREATE POLICY tenant_registry ON tenants TO collections_registry
    USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO collections_registry;

-- The worker's directory: active tenants only, read only.
CREATE POLICY tenant_directory ON tenants FOR SELECT TO collections_worker
    USING (status = 'active');
GRANT SELECT ON tenants TO collections_worker;

GRANT SELECT ON currencies TO collections_worker, collections_registry;

-- The run log belongs to the worker.
REVOKE ALL ON worker_runs FROM collections_app;
GRANT SELECT, INSERT, UPDATE ON worker_runs TO collections_worker;

-- Which migrations are applied is no secret: readiness checks read it.
GRANT SELECT ON schema_migrations TO collections_app, collections_worker, collections_registry;

-- Keys are issued and revoked by the registry alone; the app (the HTTP server
-- checking a key) may only note when a key was last used. Otherwise a
-- compromised server could mint itself a key that outlives its compromise, or
-- un-revoke one.
REVOKE INSERT, UPDATE, DELETE ON api_keys FROM collections_app;
GRANT UPDATE (last_used_at) ON api_keys TO collections_app;

-- The registry reads what it administers (one tenant at a time, with that
-- tenant set; forced row-level security applies to it as to everyone), issues
-- and revokes keys, and records what it did.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO collections_registry;
GRANT INSERT, UPDATE ON api_keys TO collections_registry;
GRANT INSERT ON audit_log TO collections_registry;

-- A record of every deleted tenant: who, when, and how many rows of each table
-- went. Not a tenant table (the tenant is gone): no tenant_id column, no
-- tenant policy; the app and worker roles cannot read it.
CREATE TABLE tenant_deletions (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    deleted_tenant uuid        NOT NULL,
    slug           text        NOT NULL,
    name           text        NOT NULL,
    created_at     timestamptz NOT NULL,
    deleted_at     timestamptz NOT NULL DEFAULT now(),
    actor          text        NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
    rows_deleted   jsonb       NOT NULL
);
REVOKE ALL ON tenant_deletions FROM collections_app;
GRANT SELECT, INSERT ON tenant_deletions TO collections_registry;
