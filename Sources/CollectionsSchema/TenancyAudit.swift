public import Postgres

/// Checks the catalog against DESIGN.md's tenancy recipe and lists every breach.
///
/// Run by `migrate` inside each migration's transaction, so a migration that adds a
/// tenant table without forced row-level security, widens a tenant policy, redefines
/// how the current tenant is read, adds a unique key another tenant's values could
/// collide with, grants TRUNCATE, or gives the app role a table or sequence that row-level
/// security does not guard is rolled back instead of shipped; and by the tests.
public enum TenancyAudit {
    /// The tenant expression a tenant policy may have, exactly as the catalog
    /// prints it: the bare call of sql/0001 (and of sql/0012's WITH CHECK), the
    /// initplan of sql/0007, the active tenant of sql/0012.
    static let tenantExpressions = """
        ('(tenant_id = current_tenant_id())'), ('(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))'),
        ('(tenant_id = current_active_tenant_id())')
        """

    /// What the app role's policy says from sql/0012 on: it reads only an active
    /// tenant's rows, and writes rows of the tenant set.
    static let activeTenantExpression = "(tenant_id = current_active_tenant_id())"

    /// The bodies of the functions every policy trusts, whitespace collapsed: a
    /// migration that redefines either (`CREATE OR REPLACE` keeps the function the
    /// policies point at) could hand every tenant's rows to anyone.
    /// The migration that defined each is the first it is checked after.
    static let trustedFunctions = """
        (11, 'current_tenant_id', 'sql', 's', $$select nullif(current_setting('app.tenant_id', true), '')::uuid$$),
        (11, 'current_tenant_is_active', 'plpgsql', 's',
         $$BEGIN RETURN EXISTS ( SELECT 1 FROM public.tenants WHERE id = public.current_tenant_id() AND status = 'active' ); END$$),
        (12, 'current_active_tenant_id', 'plpgsql', 's',
         $$DECLARE active uuid; BEGIN SELECT t.id INTO active FROM public.tenants t WHERE t.id = \
        public.current_tenant_id() AND t.status = 'active'; RETURN active; END$$),
        (12, 'refuse_suspended_tenant', 'plpgsql', 'v',
         $$BEGIN IF pg_catalog.pg_has_role(current_user, 'collections_app', 'USAGE') AND NOT (SELECT r.rolsuper \
        FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AND public.current_active_tenant_id() IS NULL THEN \
        RAISE EXCEPTION 'the tenant is suspended or does not exist; nothing was written' USING ERRCODE = \
        'insufficient_privilege'; END IF; RETURN NULL; END$$),
        (18, 'current_agency_id', 'sql', 's', $$select nullif(current_setting('app.agency_id', true), '')::uuid$$)
        """

    /// The one policy an agency's role may have on a tenant table (sql/0018): the
    /// active tenant's rows placed with the agency set, for reading and writing.
    static let agencyExpression =
        "((tenant_id = current_active_tenant_id()) AND (placed_agency_id = current_agency_id()))"

    /// The migration from which the agency role's checks hold.
    static let agencyFrom = 18

    /// The migration from which every foreign key of a tenant table leads with
    /// tenant_id, not only includes it (DESIGN.md "Scale-out": Citus enforces a
    /// foreign key between tables distributed by tenant_id only on it; references
    /// to the reference tables, tenants and currencies, are the exception). Primary
    /// and unique keys lead with it from the start (the checks below). Every earlier
    /// migration already kept it; from here the audit holds every later one to it.
    static let distributionFrom = 23
    /// The migration from which no foreign key of a tenant table sets null or a
    /// default (Citus refuses them on distributed tables, sql/0025).
    static let citusKeysFrom = 25

    /// Tables without tenant_id that the app role may read: reference data the
    /// same for every tenant. `tenants` is not here: the app reads it through its
    /// own row-level security policy (checked below).
    static let referenceTables = "('currencies'), ('schema_migrations'), ('schema_functions')"

    /// The migration that introduced the checks marked "from 0011" below: the
    /// ones that migrations before it, landed and never edited, do not pass in
    /// their own transactions (0004 gave the app role the run log; 0007 rewrote
    /// current_tenant_is_active()).
    static let strictFrom = 11

    /// The migration from which the Scale-out rules hold (DESIGN.md): no
    /// restrictive policy, no subquery in a policy, the app role bound by the
    /// active-tenant policy and each tenant table by the insert trigger.
    static let scaleOutFrom = 12

    /// The breaches of the catalog as it stands after migration `version` (by
    /// default: all of this binary's).
    /// Not a relation of the Citus extension itself (its views and sequences in
    /// `public`, such as `citus_tables`: made by its `CREATE EXTENSION`, not by a
    /// migration, the same on every cluster), nor, on Citus, a shard: the
    /// coordinator holds a shard of each reference table, with the table's
    /// grants and policies, which the table itself is audited for.
    static func notCitus(_ relation: String, citus: Bool) -> String {
        let shard = citus ? " AND NOT relation_is_a_known_shard(\(relation).oid)" : ""
        return """
            NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'citus' \
            WHERE d.classid = 'pg_class'::regclass AND d.objid = \(relation).oid AND d.deptype = 'e')\(shard)
            """
    }

    public static func violations(
        _ connection: PostgresConnection, after version: Int = Migration.all.last?.version ?? 0
    ) async throws -> [String] {
        let strict = version >= strictFrom
        let scaleOut = version >= scaleOutFrom
        let agency = version >= agencyFrom
        let citus = try await CitusDistribution.isCitus(connection)
        let rows = try await connection.query("""
            WITH tenant_tables AS (
                SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                WHERE c.relkind IN ('r', 'p') AND \(unescaped: notCitus("c", citus: citus))
            )
            SELECT format('table %s: row-level security not enabled', relname) FROM tenant_tables WHERE NOT relrowsecurity
            UNION ALL
            SELECT format('table %s: row-level security not forced', relname) FROM tenant_tables WHERE NOT relforcerowsecurity
            UNION ALL
            -- The expression exactly as the catalog prints it (a pattern would let
            -- `tenant_id = current_tenant_id() OR true` pass): the bare call of
            -- 0001 or the initplan of 0007.
            SELECT format('table %s: no tenant_isolation policy on tenant_id = current_tenant_id()', t.relname)
            FROM tenant_tables t
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_policy p
                CROSS JOIN (VALUES ('(tenant_id = current_tenant_id())'),
                                   ('(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))')) AS f(expr)
                WHERE p.polrelid = t.oid AND p.polpermissive
                  AND pg_get_expr(p.polqual, p.polrelid) = f.expr
                  AND pg_get_expr(p.polwithcheck, p.polrelid) = f.expr)
            UNION ALL
            -- Permissive policies are OR-ed: one more, however narrow it looks,
            -- widens what every role sees. Each must say exactly the tenant.
            SELECT format('table %s: policy %s is permissive and not exactly tenant_id = current_tenant_id()', t.relname, p.polname)
            FROM tenant_tables t JOIN pg_policy p ON p.polrelid = t.oid AND p.polpermissive
            WHERE NOT coalesce(\(agency) AND p.polroles = ARRAY[to_regrole('collections_agency')::oid]
                               AND pg_get_expr(p.polqual, p.polrelid) = \(agencyExpression)
                               AND pg_get_expr(p.polwithcheck, p.polrelid) = \(agencyExpression), false)
              AND ((p.polqual IS NULL AND p.polwithcheck IS NULL)
               OR (p.polqual IS NOT NULL AND pg_get_expr(p.polqual, p.polrelid) NOT IN (VALUES \(unescaped: tenantExpressions)))
               OR (p.polwithcheck IS NOT NULL AND pg_get_expr(p.polwithcheck, p.polrelid) NOT IN (VALUES \(unescaped: tenantExpressions))))
            UNION ALL
            -- From 0018: a policy an agency's role is bound by says exactly the
            -- agency's placed rows of the active tenant (one shared with another
            -- role, or any policy for PUBLIC, would give it the whole tenant).
            SELECT format('table %s: policy %s binds collections_agency to more than its placed rows', t.relname, p.polname)
            FROM tenant_tables t JOIN pg_policy p ON p.polrelid = t.oid
            WHERE \(agency) AND (0::oid = ANY (p.polroles) OR to_regrole('collections_agency')::oid = ANY (p.polroles))
              AND NOT (p.polroles = ARRAY[to_regrole('collections_agency')::oid]
                       AND coalesce(pg_get_expr(p.polqual, p.polrelid), '') = \(agencyExpression)
                       AND coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') = \(agencyExpression))
            UNION ALL
            -- From 0018: the agency's role is no superuser, no BYPASSRLS, not the app
            -- (whose policies read the whole tenant), and may not update, delete,
            -- truncate or reference any table, nor touch a table without tenant_id
            -- beyond reading reference data and its own tenant's row.
            SELECT 'role collections_agency is superuser, has BYPASSRLS or is a member of collections_app'
            FROM pg_roles r
            WHERE \(agency) AND r.rolname = 'collections_agency'
              AND (r.rolsuper OR r.rolbypassrls OR pg_has_role('collections_agency', 'collections_app', 'MEMBER'))
            UNION ALL
            SELECT format('table %s: collections_agency may %s it', c.relname, lower(p.privilege))
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_roles r ON r.rolname = 'collections_agency'
            CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES')) AS p(privilege)
            WHERE \(agency) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND \(unescaped: notCitus("c", citus: citus))
              AND has_table_privilege(r.oid, c.oid, p.privilege)
              AND (p.privilege IN ('UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES')
                   OR (NOT EXISTS (SELECT 1 FROM tenant_tables t WHERE t.oid = c.oid)
                       AND NOT (p.privilege = 'SELECT' AND c.relkind = 'r'
                                AND (c.relname IN (VALUES \(unescaped: referenceTables))
                                     OR (c.relname = 'tenants' AND c.relrowsecurity)))))
            UNION ALL
            SELECT format('table tenants: policy %s lets collections_agency see more than its own tenant', p.polname)
            FROM pg_policy p
            WHERE \(agency) AND p.polrelid = 'public.tenants'::regclass
              AND to_regrole('collections_agency')::oid = ANY (p.polroles)
              AND coalesce(pg_get_expr(p.polqual, p.polrelid), '') <> '(id = current_tenant_id())'
            UNION ALL
            SELECT format('sequence %s: collections_agency may use it', c.relname)
            FROM pg_class c JOIN pg_roles r ON r.rolname = 'collections_agency'
            WHERE \(agency) AND c.relkind = 'S' AND \(unescaped: notCitus("c", citus: citus)) AND (has_sequence_privilege(r.oid, c.oid, 'USAGE')
                                                   OR has_sequence_privilege(r.oid, c.oid, 'SELECT'))
            UNION ALL
            -- From 0011.
            SELECT format('function %s() is not as the migrations define it', f.name)
            FROM (VALUES \(unescaped: trustedFunctions)) AS f(since, name, language, volatility, body)
            WHERE \(version) >= f.since AND ((SELECT count(*) FROM pg_proc p
                   JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
                   JOIN pg_language l ON l.oid = p.prolang
                   WHERE p.proname = f.name AND p.pronargs = 0 AND l.lanname = f.language
                     AND p.provolatile = f.volatility AND NOT p.prosecdef AND p.proconfig IS NULL
                     AND p.proowner = 'collections_owner'::regrole
                     AND regexp_replace(btrim(p.prosrc, E' \\n\\t'), '\\s+', ' ', 'g') = f.body) <> 1
                OR (SELECT count(*) FROM pg_proc p WHERE p.proname = f.name) <> 1)
            UNION ALL
            -- From 0012 (DESIGN.md "Scale-out"): Citus refuses subqueries in the
            -- policies of distributed tables and turned restrictive ones permissive.
            SELECT format('table %s: policy %s is restrictive', c.relname, p.polname)
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            WHERE \(scaleOut) AND NOT p.polpermissive
            UNION ALL
            SELECT format('table %s: policy %s has a subquery', c.relname, p.polname)
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            WHERE \(scaleOut) AND (coalesce(pg_get_expr(p.polqual, p.polrelid), '') ~* '\\mselect\\M'
                                  OR coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ~* '\\mselect\\M')
            UNION ALL
            -- From 0023: foreign keys that lead with the distribution column.
            SELECT format('table %s: foreign key %s does not lead with tenant_id', t.relname, k.conname)
            FROM tenant_tables t
            JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'f'
            WHERE \(version >= distributionFrom)
              AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = k.conkey[1]) <> 'tenant_id'
              AND k.confrelid NOT IN ('public.tenants'::regclass, 'public.currencies'::regclass)
            UNION ALL
            -- From 0025: Citus refuses SET NULL and SET DEFAULT on a key that
            -- includes the distribution column.
            SELECT format('table %s: foreign key %s sets null or a default on delete or update', t.relname, k.conname)
            FROM tenant_tables t
            JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'f'
            WHERE \(version >= citusKeysFrom)
              AND (k.confdeltype IN ('n', 'd') OR k.confupdtype IN ('n', 'd'))
            UNION ALL
            -- From 0012: a policy that binds the app role reads only the active
            -- tenant (one that also reads a suspended tenant's rows, OR-ed in, would
            -- undo it), and every tenant table has one.
            SELECT format('table %s: policy %s lets collections_app read a suspended tenant', t.relname, p.polname)
            FROM tenant_tables t JOIN pg_policy p ON p.polrelid = t.oid AND p.polpermissive
            WHERE \(scaleOut) AND (0::oid = ANY (p.polroles) OR 'collections_app'::regrole = ANY (p.polroles))
              AND coalesce(pg_get_expr(p.polqual, p.polrelid), '') <> \(activeTenantExpression)
            UNION ALL
            SELECT format('table %s: no policy for collections_app on the active tenant', t.relname)
            FROM tenant_tables t
            WHERE \(scaleOut) AND NOT EXISTS (
                SELECT 1 FROM pg_policy p
                WHERE p.polrelid = t.oid AND p.polpermissive AND p.polroles = ARRAY['collections_app'::regrole::oid]
                  AND pg_get_expr(p.polqual, p.polrelid) = \(activeTenantExpression)
                  AND pg_get_expr(p.polwithcheck, p.polrelid) = '(tenant_id = current_tenant_id())')
            UNION ALL
            -- From 0012: inserts of a suspended tenant refused once a statement
            -- (BEFORE INSERT FOR EACH STATEMENT is tgtype 6), enabled.
            SELECT format('table %s: no enabled statement trigger refuse_suspended_tenant() before insert', t.relname)
            FROM tenant_tables t
            WHERE \(scaleOut) AND NOT EXISTS (
                SELECT 1 FROM pg_trigger g
                WHERE g.tgrelid = t.oid AND g.tgtype = 6 AND g.tgenabled IN ('O', 'A')
                  AND g.tgfoid::regprocedure::text = 'refuse_suspended_tenant()')
            UNION ALL
            SELECT format('table %s: tenant_id is not the first column of the primary key', t.relname)
            FROM tenant_tables t
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = t.oid AND i.indisprimary AND a.attname = 'tenant_id')
            UNION ALL
            -- An expression as the first key column (attnum 0) leads with no column.
            SELECT format('table %s: unique key %s does not lead with tenant_id', t.relname, ic.relname)
            FROM tenant_tables t
            JOIN pg_index i ON i.indrelid = t.oid AND (i.indisunique OR i.indisexclusion)
            JOIN pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND i.indkey[0] <> 0
            WHERE a.attname IS DISTINCT FROM 'tenant_id'
            UNION ALL
            SELECT format('table %s: foreign key %s to tenant table %s does not include tenant_id', t.relname, c.conname, r.relname)
            FROM tenant_tables t
            JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'f'
            JOIN tenant_tables r ON r.oid = c.confrelid
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = t.oid AND a.attname = 'tenant_id' AND a.attnum = ANY (c.conkey))
            UNION ALL
            -- What the app role can reach that row-level security does not guard:
            -- a non-tenant table beyond reading reference data or its own tenant's
            -- row, any sequence (a shared counter tells one tenant about the
            -- others), any other relation kind. From 0011.
            SELECT format('%s %s: collections_app has %s on it without row-level security',
                          CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
                          c.relname, p.privilege)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('USAGE')) AS p(privilege)
            WHERE \(strict) AND c.relkind IN ('r', 'p', 'S', 'f') AND \(unescaped: notCitus("c", citus: citus))
              AND NOT EXISTS (SELECT 1 FROM tenant_tables t WHERE t.oid = c.oid)
              AND ((c.relkind = 'S' AND p.privilege IN ('SELECT', 'UPDATE', 'USAGE')
                    AND has_sequence_privilege('collections_app', c.oid, p.privilege))
                OR (c.relkind <> 'S' AND p.privilege <> 'USAGE'
                    AND has_table_privilege('collections_app', c.oid, p.privilege)
                    AND NOT (p.privilege = 'SELECT' AND c.relkind = 'r'
                             AND (c.relname IN (VALUES \(unescaped: referenceTables))
                                  OR (c.relname = 'tenants' AND c.relrowsecurity)))))
            UNION ALL
            -- The app role reads the tenant registry only through its own row.
            SELECT format('table tenants: policy %s lets collections_app see more than its own tenant', p.polname)
            FROM pg_policy p
            WHERE p.polrelid = 'public.tenants'::regclass AND p.polpermissive
              AND (0::oid = ANY (p.polroles) OR 'collections_app'::regrole = ANY (p.polroles))
              AND coalesce(pg_get_expr(p.polqual, p.polrelid), '') NOT IN
                  ('(id = current_tenant_id())', '(id = ( SELECT current_tenant_id() AS current_tenant_id))')
            UNION ALL
            SELECT format('table %s: collections_app may %s it, which ignores row-level security', c.relname, lower(p.privilege))
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            CROSS JOIN (VALUES ('TRUNCATE'), ('REFERENCES')) AS p(privilege)
            WHERE c.relkind IN ('r', 'p') AND has_table_privilege('collections_app', c.oid, p.privilege)
            UNION ALL
            SELECT format('%s %s is owned by collections_app', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'relation' END, c.relname)
            FROM pg_class c WHERE c.relowner = 'collections_app'::regrole
            UNION ALL
            SELECT format('function %s is owned by collections_app', p.proname)
            FROM pg_proc p WHERE p.proowner = 'collections_app'::regrole
            UNION ALL
            SELECT 'role collections_app is superuser or has BYPASSRLS'
            FROM pg_roles WHERE rolname = 'collections_app' AND (rolsuper OR rolbypassrls)
            UNION ALL
            SELECT format('view %s is not security_invoker', c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind IN ('v', 'm') AND \(unescaped: notCitus("c", citus: citus))
              AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'] OR c.reloptions @> ARRAY['security_invoker=on'], false)
            UNION ALL
            SELECT format('function %s is SECURITY DEFINER', p.proname)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
            WHERE p.prosecdef
            UNION ALL
            SELECT format('function %s is LEAKPROOF', p.proname)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
            WHERE p.proleakproof
            """)
        return try rows.map { try $0.decode(String.self, at: 0) }
    }
}
