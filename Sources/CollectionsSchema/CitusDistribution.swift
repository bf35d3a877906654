package import Postgres
import Foundation

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

    /// On Citus, has each function that its file makes plan generically
    /// (`SET plan_cache_mode = force_generic_plan`, the worker's: one plan for
    /// every tenant, sql/0007) plan per call instead, and returns their names.
    ///
    /// A generic plan keeps the tenant an unbound parameter, and Citus cannot
    /// route such a statement to a shard: "could not create distributed plan ...
    /// Consider using PL/pgSQL functions instead" (the functions are PL/pgSQL; it
    /// is the generic plan). Planned per call, the tenant is a value and the
    /// statement goes to its shard. Run after the function files, in their
    /// transaction, since applying a file sets its `SET` clause again.
    package static func planPerCall(_ tx: PostgresConnection) async throws -> [String] {
        let functions = try await tx.query("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND 'plan_cache_mode=force_generic_plan' = ANY (p.proconfig)
            ORDER BY 1
            """).decode(String.self)
        for function in functions {
            try await tx.simpleQuery("ALTER FUNCTION \(function) SET plan_cache_mode = auto")
        }
        return functions
    }

    /// On Citus, makes each SQL-language function that reads a table (itself or
    /// through another such function) a PL/pgSQL one with the same body, and
    /// returns their names. Run after the function files, in their transaction.
    ///
    /// Citus decides whether a statement is distributed from the tables it
    /// names before PostgreSQL inlines the SQL functions it calls; a function's
    /// tables then appear too late: "cannot perform distributed planning on this
    /// query because parameterized queries for SQL functions referencing
    /// distributed tables are not supported. HINT: Consider using PL/pgSQL
    /// functions instead", also with constant arguments (deploy/citus/README.md).
    /// PL/pgSQL plans each statement of the body on its own, which Citus
    /// distributes. The body stays the file's, word for word: a set's rows by
    /// `RETURN QUERY`, a value by `INTO`, column names before the names of the
    /// result's columns (`#variable_conflict use_column`, as in a SQL function).
    /// Plain PostgreSQL keeps the SQL functions, which it inlines into their
    /// callers' plans (PERFORMANCE-NOTES.md).
    package static func asPLpgSQL(_ tx: PostgresConnection) async throws -> [String] {
        let tables: [String] = try await tx.query("""
            SELECT c.relname::text FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
            """).decode(String.self)
        let relations = Set(tables)
        let candidates = try await tx.query("""
            SELECT p.proname::text, p.oid::regprocedure::text, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                   p.proretset, p.provolatile::text, p.proparallel::text, p.prosrc
            FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
              AND p.provolatile <> 'i'
            ORDER BY p.oid::regprocedure::text
            """).decode((String, String, String, String, Bool, String, String, String).self)
        /// The names the body takes from `public`: tables and functions.
        func named(_ body: String) -> Set<String> {
            let pattern = /public\.([a-z_][a-z0-9_]*)/
            return Set(body.lowercased().matches(of: pattern).map { String($0.output.1) })
        }
        var converting = Set<String>()
        var grew = true
        while grew {
            grew = false
            for (name, _, _, _, _, _, _, source) in candidates where !converting.contains(name) {
                let names = named(source)
                if !names.isDisjoint(with: relations) || !names.isDisjoint(with: converting) {
                    converting.insert(name)
                    grew = true
                }
            }
        }
        var converted: [String] = []
        for (name, signature, arguments, result, returnsSet, volatility, parallel, source) in candidates
        where converting.contains(name) {
            var body = source.trimmingCharacters(in: .whitespacesAndNewlines)
            while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
            let plpgsql = returnsSet
                ? "#variable_conflict use_column\nBEGIN\nRETURN QUERY\n\(body);\nEND"
                : "#variable_conflict use_column\nDECLARE result \(result);\nBEGIN\n\(body)\nINTO result;\nRETURN result;\nEND"
            let attributes = [
                ["s": "STABLE", "v": "VOLATILE"][volatility] ?? "VOLATILE",
                ["s": "PARALLEL SAFE", "r": "PARALLEL RESTRICTED"][parallel] ?? "PARALLEL UNSAFE",
            ].joined(separator: " ")
            try await tx.simpleQuery("""
                CREATE OR REPLACE FUNCTION public.\(name)(\(arguments)) RETURNS \(result) LANGUAGE plpgsql \(attributes)
                AS $plpgsql$\(plpgsql)$plpgsql$
                """)
            converted.append(signature)
        }
        return converted
    }
}
