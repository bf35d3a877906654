import CollectionsService
import Postgres

extension ImportContext {
    /// Inserts the good rows with `insert`, which leaves a row already stored as
    /// it is (`ON CONFLICT ... DO NOTHING`), and returns how many it inserted (its
    /// `RETURNING` rows: Citus's command tag counts the rows sent, stored or not).
    /// For a dry run nothing is written and the rows `from` selects (the good
    /// staged rows, unique by `key`) are counted less those whose `key` the
    /// tenant's `table` already holds: either way, how many rows are new. `with`
    /// (`tenantClients`, or nothing) goes before the count's `SELECT`; `insert`
    /// places it itself.
    ///
    /// The stored ones are found by `IN` a subquery, not a correlated `NOT
    /// EXISTS`: Citus plans the subquery apart and looks for its keys in the
    /// shard, where a subquery correlated with the temporary staging table is a
    /// join it refuses.
    func insertNew(with: SQL = "", from: SQL, stored table: String, key: String, insert: SQL, dryRun: Bool) async throws -> Int {
        if dryRun {
            return try await tx.query("""
                \(with) SELECT (SELECT count(*) \(from))
                    - (SELECT count(*) FROM \(unescaped: table) t
                       WHERE t.tenant_id = \(tenant.id) AND t.\(unescaped: key) IN (SELECT s.\(unescaped: key) \(from)))
                """).scalar(Int.self) ?? 0
        }
        return try await tx.insert(insert)
    }

    /// The tenant's clients as `tenant_clients` (id, ref, payment terms, currency,
    /// phone), for a write from the staging table that needs each row's client.
    ///
    /// Citus refuses an `INSERT ... SELECT` that joins a local table (the
    /// temporary staging table) to a distributed one: "direct joins between
    /// distributed and local tables are not supported". A materialized CTE is
    /// planned on its own, and its rows are joined as an intermediate result
    /// (deploy/citus/README.md). On plain PostgreSQL it is one scan of the
    /// tenant's clients, which the join read anyway.
    var tenantClients: SQL {
        """
        WITH tenant_clients AS MATERIALIZED (
            SELECT c.id, c.ref, c.payment_terms_days, c.currency, c.phone FROM clients c WHERE c.tenant_id = \(tenant.id))
        """
    }
}
