package import Postgres

/// On a Citus cluster (the `citus` extension is present), what a migration made
/// is distributed in the migration's own transaction: every tenant table by
/// `tenant_id`, colocated, and `currencies` and `tenants` as reference tables
/// (DESIGN.md "Scale-out"). Plain PostgreSQL is left as it is.
///
/// Citus refuses a foreign key between a table it manages and one it does not,
/// and it turns a local table that references a reference table into a "Citus
/// local table", dragging the tables around it along (deploy/citus/README.md).
/// So migrations run with `citus.enable_local_reference_table_foreign_keys = off`
/// (their new tables stay plain local tables, keys and all), and then each key
/// that touches a table still to distribute is set aside, the tables are
/// distributed, and the keys are added back exactly as they were.
package enum CitusDistribution {
    /// The tables replicated to every node: what tenant tables reference but
    /// that is not one tenant's.
    static let referenceTables = ["currencies", "tenants"]

    package static func isCitus(_ connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            .scalar(Bool.self) ?? false
    }

    /// The first migration after which the tables can be distributed: 0012 made
    /// the policies plain expressions; Citus refuses the subqueries of the
    /// earlier ones ("Subqueries are not supported in policies on distributed
    /// tables"). Before it the tables stay local, as on plain PostgreSQL.
    static let from = TenancyAudit.scaleOutFrom

    /// Sent, each in a query of its own, before a migration's text on Citus:
    /// its new tables stay plain local tables until `distribute`, and its shard
    /// work goes one shard at a time, since Citus distributes a table only in a
    /// transaction that has run nothing in parallel ("cannot distribute ... in
    /// sequential mode because a parallel query was executed in this transaction").
    static let migrationSettings = [
        "SET LOCAL citus.enable_local_reference_table_foreign_keys = off",
        "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
    ]

    /// Whether the colocation groups exist: a reference table's and the tenant
    /// tables'. Making one takes a superuser on Citus 13.2 ("operation is not
    /// allowed", from `citus_internal.add_colocation_metadata` on a worker); a
    /// table joins an existing one as its owner.
    static func groupsExist(_ tx: PostgresConnection) async throws -> Bool {
        try await tx.query("""
            SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE partmethod = 'h')
               AND EXISTS (SELECT 1 FROM pg_dist_partition WHERE repmodel = 't')
            """).scalar(Bool.self) ?? false
    }

    /// Distributes the tables still to distribute and returns their names, as
    /// the transaction's role. Inside a migration that is collections_owner: the
    /// workers see the migration's own uncommitted objects (the functions its
    /// policies call) only on the connections Citus opened for that role, so the
    /// role must not change in between.
    static func distribute(_ tx: PostgresConnection, dryRun: Bool = false) async throws -> [String] {
        let names = referenceTables.map { "'\($0)'" }.joined(separator: ", ")
        let pending = try await tx.query("""
            SELECT c.relname, c.relname IN (\(unescaped: names))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT relation_is_a_known_shard(c.oid)
              AND (c.relname IN (\(unescaped: names))
                   OR EXISTS (SELECT 1 FROM pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
              AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p
                              WHERE p.logicalrelid = c.oid AND (p.partmethod = 'h' OR p.repmodel = 't'))
            ORDER BY 2 DESC, c.relname  -- the reference tables first: the others refer to them
            """).decode((String, Bool).self)
        guard !pending.isEmpty, !dryRun else { return pending.map(\.0) }

        // The tenant tables' triggers (refuse_suspended_tenant and the row
        // checks) run on the shards, each on its own tenant's rows.
        try await tx.simpleQuery("SET LOCAL citus.enable_unsafe_triggers = on")
        // Keys between reference and distributed tables added in the transaction
        // that distributed them: Citus refuses that after parallel shard work
        // ("cannot modify table ... because there was a parallel operation").
        try await tx.simpleQuery("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")

        let tables = pending.map(\.0)
        let keys = try await tx.query("""
            SELECT format('%I', c.relname), format('%I', k.conname), pg_get_constraintdef(k.oid)
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND NOT relation_is_a_known_shard(c.oid)
              AND (c.relname = ANY (\(tables)) OR r.relname = ANY (\(tables)))
            ORDER BY c.relname, k.conname
            """).decode((String, String, String).self)
        for (table, key, _) in keys {
            try await tx.simpleQuery("ALTER TABLE \(table) DROP CONSTRAINT \(key)")
        }
        for (table, reference) in pending {
            if reference {
                try await tx.query("SELECT create_reference_table(\(table)::regclass)")
            } else {
                try await tx.query("SELECT create_distributed_table(\(table)::regclass, 'tenant_id')")
            }
        }
        for (table, key, definition) in keys {
            try await tx.simpleQuery("ALTER TABLE \(table) ADD CONSTRAINT \(key) \(definition)")
        }
        return tables
    }

    /// After the migrations, in a transaction of its own: distributes what is
    /// still local. That is everything on the first migrate of a new Citus
    /// cluster (its migrations found no colocation group to join) and of a
    /// database that moved to Citus; it makes the groups, so it runs as the
    /// session's superuser then, with nothing uncommitted of another role's.
    static func distributeRest(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.transaction { tx in
            let superuser = try await tx.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                .scalar(Bool.self) ?? false
            if !superuser {
                guard try await groupsExist(tx) else {
                    let pending = try await distribute(tx, dryRun: true)
                    guard pending.isEmpty else {
                        throw Migrator.Failure(description: """
                            tables \(pending.joined(separator: ", ")) are not distributed yet and the first distribution on \
                            Citus makes its colocation groups, which takes a superuser: run migrate once as one \
                            (deploy/citus/README.md)
                            """)
                    }
                    return []
                }
                try await tx.simpleQuery("SET LOCAL ROLE collections_owner")
            }
            return try await distribute(tx)
        }
    }
}
