package import Postgres

extension PostgresConnection {
    /// Runs an `INSERT ... SELECT` and returns how many rows it inserted, in the
    /// one shape Citus can run on a table under row-level security.
    ///
    /// Citus runs an `INSERT ... SELECT` whose source is not a colocated
    /// distributed table (`unnest` of bound arrays, a temporary staging table) by
    /// `COPY`ing the selected rows into the shards, and PostgreSQL refuses `COPY
    /// FROM` into a table under row-level security. With `RETURNING` it instead
    /// writes them to intermediate results and runs an `INSERT` on each shard,
    /// under the shard's policies like any insert (deploy/citus/README.md). On
    /// plain PostgreSQL the count costs one integer per row, kept in the server.
    @discardableResult
    package func insert(_ statement: SQL) async throws -> Int {
        try await query("WITH inserted AS (\(statement) RETURNING 1) SELECT count(*) FROM inserted").scalar(Int.self) ?? 0
    }
}
