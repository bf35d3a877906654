-- bootstrap.sql: database-level setup that migrations cannot do themselves.
--
-- Run by the migration runner BEFORE the migrations, on every run, in one
-- transaction. Every step does something only when it is not done yet, so:
--   * the first run in a database (and the first run of a release that adds a
--     role) needs a superuser, or a role with CREATEROLE that owns the database;
--   * every later run works as the migrate login, a NOINHERIT member of
--     collections_owner and nothing else: nothing privileged is left to do.
-- Roles are cluster-wide and one cluster may hold many databases of this
-- application, so everything here must be safe to run again and in a second
-- database.
--
-- The group roles (NOLOGIN, never superuser or BYPASSRLS; DESIGN.md "Tenancy
-- recipe"):
--   * collections_owner: owns the schema and every object in it; only `migrate`
--     uses it (`SET LOCAL ROLE collections_owner` before each migration).
--   * collections_app: tenant work, under forced row-level security;
--     SELECT/INSERT/UPDATE/DELETE on tenant tables, never TRUNCATE or
--     REFERENCES (which ignore row-level security); owns nothing.
--   * collections_worker: the directory of active tenants and the worker's
--     run log.
--   * collections_registry: creates, configures, suspends and deletes tenants,
--     issues and revokes API keys.
--   * collections_agency: a collections agency's work, under forced row-level
--     security: only the rows placed with the agency set (app.agency_id) of the
--     tenant set (sql/0018); not a member of collections_app.
-- Programs log in as NOINHERIT logins that are members of just the roles they
-- need (deploy/sql/logins.sql); this script never creates logins or passwords.

-- 1. Roles, created only if missing. A concurrent run in another database may
--    create the same role between our check and our CREATE: that shows up as
--    duplicate_object or unique_violation and is ignored.
DO $bootstrap$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY array['collections_owner', 'collections_app', 'collections_worker', 'collections_registry',
                         'collections_agency'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$bootstrap$;

-- 2. The roles may have existed before (another database, an operator). Row-level
--    security means nothing for a superuser or a BYPASSRLS role, so put those
--    attributes right if someone changed them (only a superuser can; a
--    non-superuser runner then fails here, which is what we want). Only the
--    attributes that matter are touched, and only when they are wrong.
DO $bootstrap$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT rolname FROM pg_catalog.pg_roles
        WHERE rolname IN ('collections_owner', 'collections_app', 'collections_worker', 'collections_registry',
                          'collections_agency')
          AND (rolsuper OR rolbypassrls
               OR (rolname <> 'collections_owner' AND (rolcreatedb OR rolcreaterole)))
    LOOP
        IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'role % is SUPERUSER, BYPASSRLS, CREATEDB or CREATEROLE, which defeats row-level security', r.rolname
                USING HINT = format('A superuser must run: ALTER ROLE %I NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', r.rolname);
        END IF;
        EXECUTE format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS', r.rolname);
        IF r.rolname <> 'collections_owner' THEN
            EXECUTE format('ALTER ROLE %I NOCREATEDB NOCREATEROLE', r.rolname);
        END IF;
    END LOOP;
END
$bootstrap$;

-- 3. A non-superuser runner (CREATEROLE + database owner) must be able to
--    `SET ROLE collections_owner` for the migrations and to hand the schema to
--    it. Superusers and the migrate login (already a member) need nothing.
DO $bootstrap$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
       AND NOT pg_catalog.pg_has_role(current_user, 'collections_owner', 'MEMBER') THEN
        EXECUTE format('GRANT collections_owner TO %I', current_user);
    END IF;
END
$bootstrap$;

-- 4. Database access for the roles (PUBLIC has these by default; say it
--    explicitly in case an operator revoked them from PUBLIC), and the
--    search_path every session of this database starts with: our schema, then
--    temporary objects, so a temporary table or function can never shadow ours.
DO $bootstrap$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY array['collections_owner', 'collections_app', 'collections_worker', 'collections_registry',
                         'collections_agency'] LOOP
        IF NOT has_database_privilege(r, current_database(), 'CONNECT') THEN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), r);
        END IF;
    END LOOP;
    IF NOT has_database_privilege('collections_app', current_database(), 'TEMPORARY') THEN
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO collections_app', current_database());
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
        WHERE d.datname = current_database() AND s.setrole = 0
          AND 'search_path=public, pg_temp' = ANY (s.setconfig)) THEN
        EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_temp', current_database());
    END IF;
END
$bootstrap$;

-- 5. The schema belongs to collections_owner.
DO $bootstrap$
BEGIN
    IF (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'public') <> 'collections_owner'::regrole THEN
        ALTER SCHEMA public OWNER TO collections_owner;
    END IF;
END
$bootstrap$;

-- 6. The rest is the owner's own business, done as the owner: nobody else
--    creates objects in the schema, and whatever the owner creates in it from
--    now on is usable by the roles that need it. Tables: DML for the app role
--    (migrations REVOKE what a table must not allow, e.g. writes to reference
--    data or the registry), SELECT for the registry (it counts what a tenant
--    delete removes, seeing one tenant's rows at a time, under row-level
--    security). Sequences: nothing for anyone (identifiers are UUIDs; a global
--    counter would tell one tenant about another). EXECUTE on functions stays
--    the PostgreSQL default (PUBLIC). Default privileges are per database, so
--    this runs in every database.
SET LOCAL ROLE collections_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM collections_app, collections_worker, collections_registry, collections_agency;
GRANT USAGE ON SCHEMA public TO collections_app, collections_worker, collections_registry, collections_agency;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO collections_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT ON TABLES TO collections_registry;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE ALL ON SEQUENCES FROM collections_app;
