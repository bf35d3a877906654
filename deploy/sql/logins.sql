-- logins.sql: one NOINHERIT login per program, each a member of only the group
-- roles that program needs (DESIGN.md "Tenancy recipe"; the roles come from
-- sql/bootstrap.sql, which must have run first, e.g. by a first `migrate` as a
-- superuser).
--
--   collections_migrate_login  collections_owner                      collections-admin migrate
--   collections_admin_login    collections_app, collections_registry  collections-admin (all else)
--   collections_worker_login   collections_app, collections_worker    collections-worker
--   collections_server_login   collections_app, collections_agency    collections-server (lenders' keys, agencies' keys)
--
-- NOINHERIT: a login's session holds no privilege until its transaction runs
-- `SET LOCAL ROLE`, and can `SET ROLE` to nothing it was not granted. Any other
-- membership a login holds (the README once advised granting collections_owner
-- to the service login) is revoked here. Each login gets its own timeouts, so a
-- stuck statement, lock wait or forgotten transaction ends on its own.
--
-- Idempotent, run as a superuser or a CREATEROLE role. It sets no passwords:
-- give them with ALTER ROLE ... PASSWORD, or use peer or certificate
-- authentication in pg_hba.conf. Run as is by deploy/local/cluster.sh and the
-- test suite.
DO $logins$
DECLARE
    login record;
    member record;
BEGIN
    FOR login IN
        SELECT * FROM (VALUES
            ('collections_migrate_login', array['collections_owner'],                       '1h',    '30s', '10min'),
            ('collections_admin_login',   array['collections_app', 'collections_registry'], '30min', '30s', '10min'),
            ('collections_worker_login',  array['collections_app', 'collections_worker'],   '10min', '30s', '5min'),
            ('collections_server_login',  array['collections_app', 'collections_agency'],   '30s',   '5s',  '1min')
        ) AS l(name, roles, statement_timeout, lock_timeout, idle_timeout)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = login.name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN NOINHERIT', login.name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
                       login.name);
        FOR member IN
            SELECT g.rolname FROM pg_catalog.pg_auth_members m
            JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
            WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = login.name)
              AND g.rolname <> ALL (login.roles)
        LOOP
            EXECUTE format('REVOKE %I FROM %I', member.rolname, login.name);
        END LOOP;
        EXECUTE format('GRANT %s TO %I',
                       (SELECT string_agg(quote_ident(r), ', ') FROM unnest(login.roles) AS r), login.name);
        EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login.name, login.statement_timeout);
        EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', login.name, login.lock_timeout);
        EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', login.name, login.idle_timeout);
    END LOOP;
END
$logins$;
