import Postgres

/// Checks the catalog against DESIGN.md's tenancy recipe and lists every breach.
///
/// Run by `migrate` inside each migration's transaction, so a migration that adds a
/// tenant table without forced row-level security, grants TRUNCATE, or creates a
/// SECURITY DEFINER function is rolled back instead of shipped; and by the tests.
public enum TenancyAudit {
    public static func violations(_ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query("""
            WITH tenant_tables AS (
                SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                WHERE c.relkind IN ('r', 'p')
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
            SELECT format('table %s: tenant_id is not the first column of the primary key', t.relname)
            FROM tenant_tables t
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = t.oid AND i.indisprimary AND a.attname = 'tenant_id')
            UNION ALL
            SELECT format('table %s: unique key %s does not lead with tenant_id', t.relname, ic.relname)
            FROM tenant_tables t
            JOIN pg_index i ON i.indrelid = t.oid AND i.indisunique
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE a.attname <> 'tenant_id'
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
            WHERE c.relkind IN ('v', 'm')
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
