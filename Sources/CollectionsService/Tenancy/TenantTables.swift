import Postgres

/// The tables that hold a tenant's rows: every table of the schema with a
/// `tenant_id` column. Deleting and exporting a tenant both walk this list, so a
/// table a new migration adds is erased and exported without being named here.
enum TenantTables {
    static func names(in tx: PostgresConnection) async throws -> [String] {
        try await tx.query("""
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') ORDER BY c.relname
            """).map { try $0.decode(String.self, at: 0) }
    }
}
