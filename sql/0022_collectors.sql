-- 0022_collectors.sql: a tenant's collectors and their teams (issue 16, item 4).
-- (0021 is the disputes' migration.)
--
-- 1. collector_teams: a tenant's teams of collectors, by name.
-- 2. collectors: the people who work the accounts. Their handle is the name the
--    book already uses for them: clients.assigned_collector and the author of
--    the contact notes they write (an email address or a login). A collector
--    belongs to at most one team; archived_on retires one (no new assignments)
--    without losing the figures of the notes it wrote.
-- 3. Every distinct assigned_collector of every tenant becomes a collector (its
--    handle also its display name), then clients.assigned_collector must name a
--    collector of its own tenant (a foreign key that includes tenant_id, as the
--    tenancy recipe wants), so an assignment can no longer name somebody unknown.

CREATE TABLE collector_teams (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT collector_teams_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE collectors (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    handle       text        NOT NULL CHECK (char_length(handle) BETWEEN 1 AND 200),
    display_name text        NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
    team_id      uuid,
    archived_on  date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT collectors_handle_key UNIQUE (tenant_id, handle),
    CONSTRAINT collectors_team_fkey FOREIGN KEY (tenant_id, team_id) REFERENCES collector_teams (tenant_id, id)
);

-- A team's collectors (the worklist per team, a team's deletion check).
CREATE INDEX collectors_team_idx ON collectors (tenant_id, team_id);

SELECT apply_tenancy_recipe(t)
FROM unnest(ARRAY['collector_teams', 'collectors']::regclass[]) AS t;

-- The backfill, one tenant at a time with that tenant set: forced row-level
-- security holds for the migration too (as in 0014).
DO $backfill$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        INSERT INTO collectors (tenant_id, handle, display_name)
        SELECT DISTINCT t.id, c.assigned_collector, c.assigned_collector
        FROM clients c
        WHERE c.tenant_id = t.id AND c.assigned_collector IS NOT NULL;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$backfill$;

-- A collector's clients (the worklist per collector; the key's checks when a
-- collector's row changes).
CREATE INDEX clients_assigned_collector_idx ON clients (tenant_id, assigned_collector)
    WHERE assigned_collector IS NOT NULL;

ALTER TABLE clients
    ADD CONSTRAINT clients_assigned_collector_fkey FOREIGN KEY (tenant_id, assigned_collector)
        REFERENCES collectors (tenant_id, handle);
