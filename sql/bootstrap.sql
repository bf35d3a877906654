-- bootstrap.sql: database-level setup that migrations cannot do themselves.
--
-- Run by the migration runner BEFORE the migrations, on every run, in one
-- transaction, as a superuser (or a role with CREATEROLE that owns the database).
-- It is idempotent: roles are cluster-wide and one cluster may hold many
-- databases of this application, so everything here must be safe to run again
-- and in a second database.
--
-- What it leaves behind:
--   * role collections_owner: owns the schema and every object in it; the
--     runner does `SET LOCAL ROLE collections_owner` before each migration.
--   * role collections_app: used by the service, worker and CLI for tenant data.
--     Not superuser, no BYPASSRLS, owns nothing; gets SELECT/INSERT/UPDATE/DELETE
--     (never TRUNCATE or REFERENCES, which ignore row-level security).
--   Both roles are NOLOGIN here; operators add LOGIN/PASSWORD themselves (or
--   grant the roles to their own login roles). This script never touches LOGIN
--   or passwords.

-- 1. Roles, created only if missing. A concurrent run in another database may
--    create the same role between our check and our CREATE: that shows up as
--    duplicate_object or unique_violation and is ignored.
DO $bootstrap$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'collections_owner') THEN
        BEGIN
            CREATE ROLE collections_owner NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'collections_app') THEN
        BEGIN
            CREATE ROLE collections_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
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
        WHERE rolname IN ('collections_owner', 'collections_app')
          AND (rolsuper OR rolbypassrls)
    LOOP
        IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'role % is SUPERUSER or BYPASSRLS, which defeats row-level security', r.rolname
                USING HINT = format('A superuser must run: ALTER ROLE %I NOSUPERUSER NOBYPASSRLS', r.rolname);
        END IF;
        EXECUTE format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS', r.rolname);
    END LOOP;

    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles
               WHERE rolname = 'collections_app' AND (rolcreatedb OR rolcreaterole)) THEN
        ALTER ROLE collections_app NOCREATEDB NOCREATEROLE;
    END IF;
END
$bootstrap$;

-- 3. A non-superuser runner (CREATEROLE + database owner) must be able to
--    `SET ROLE collections_owner` for the migrations and to hand the schema to
--    it. Superusers need nothing.
DO $bootstrap$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
       AND NOT pg_catalog.pg_has_role(current_user, 'collections_owner', 'MEMBER') THEN
        EXECUTE format('GRANT collections_owner TO %I', current_user);
    END IF;
END
$bootstrap$;

-- 4. Database access for both roles (PUBLIC has these by default; say it
--    explicitly in case an operator revoked them from PUBLIC).
DO $bootstrap$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO collections_owner, collections_app',
                   current_database());
END
$bootstrap$;

-- 5. The schema belongs to collections_owner; nobody else creates objects in it.
ALTER SCHEMA public OWNER TO collections_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM collections_app;
GRANT USAGE ON SCHEMA public TO collections_app;

-- 6. Whatever collections_owner creates in public from now on is usable by the
--    app role: DML on tables, sequences for defaults. Migrations REVOKE what a
--    particular table must not allow (e.g. writes to reference data).
--    EXECUTE on functions stays the PostgreSQL default (PUBLIC).
--    Default privileges are per database, so this runs in every database.
ALTER DEFAULT PRIVILEGES FOR ROLE collections_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO collections_app;
ALTER DEFAULT PRIVILEGES FOR ROLE collections_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO collections_app;
