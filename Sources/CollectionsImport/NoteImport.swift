import Foundation
import Postgres
import CollectionsService

/// `client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction`:
/// contact notes. A note is the same note when its client, time, channel and
/// body are: one already stored is left as it is, so importing a file again
/// adds nothing. `noted_at` without a time is midnight in the tenant's time
/// zone (the transaction's `TimeZone`). A promise to pay needs an amount and a
/// date, in the client's currency (the tenant's default when the client has none).
enum NoteImport {
    /// The promise's currency: the client's, else the tenant's default.
    static func promiseCurrency(_ context: ImportContext) -> SQL {
        "LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = coalesce(c.currency::text, \(context.tenant.defaultCurrency))"
    }

    static func check(_ context: ImportContext) async throws {
        let promise = "s.outcome = 'promise_to_pay'"
        /// The value was left empty (not refused by the row writer).
        func empty(_ column: String) -> String {
            "s.\(column) IS NULL AND NOT coalesce(s.problems @> '[{\"column\": \"\(column)\"}]', false)"
        }
        try await context.record(
            from: """
                FROM import_stage s
                LEFT JOIN clients c ON c.tenant_id = \(context.tenant.id) AND c.ref = s.client_ref
                \(promiseCurrency(context))
                """,
            [
                .knownClient,
                ImportCheck("promise_amount", "\(promise) AND \(empty("promise_amount"))", "'a promise to pay needs a promise_amount'"),
                ImportCheck("promise_date", "\(promise) AND \(empty("promise_date"))", "'a promise to pay needs a promise_date'"),
                ImportCheck(
                    "promise_amount", "s.promise_amount IS NOT NULL AND s.outcome IS DISTINCT FROM 'promise_to_pay'",
                    "'only a promise to pay (outcome promise_to_pay) has a promise_amount'"),
                ImportCheck(
                    "promise_date", "s.promise_date IS NOT NULL AND s.outcome IS DISTINCT FROM 'promise_to_pay'",
                    "'only a promise to pay (outcome promise_to_pay) has a promise_date'"),
                ImportCheck(
                    "promise_amount", "s.promise_amount IS NOT NULL AND c.id IS NOT NULL AND cu.code IS NULL",
                    "format('client %s has no currency and the tenant has no default currency, so the promise has none', s.client_ref)"),
            ] + ImportCheck.amount("promise_amount"))
    }

    static func write(_ context: ImportContext, dryRun: Bool) async throws -> Int {
        // Two imports of one notes file at once would both find a note missing:
        // notes have no unique key, so the tenant's note imports take turns.
        try await context.tx.query("""
            SELECT pg_advisory_xact_lock(hashtextextended('import notes ' || \(context.tenant.id.uuidString.lowercased()), 0))
            """)
        // A staged note is new when no stored note has its key. The stored notes
        // that could match (the file's clients, within the file's times) are read
        // by the tenant's index alone, with no join for the planner to get
        // wrong, and set beside the staged ones; a note is known when its key's
        // window holds a stored one. Nothing here compares every note with every
        // other, whatever the statistics say: right after a big import, before
        // autovacuum's ANALYZE (the importer's own may not run as a program's
        // login), the planner takes the tenant to hold one note, and a join or a
        // `NOT EXISTS` was planned as a nested loop over all of them. Re-importing
        // 50,000 notes so: 70-84 s correlated, 318 s by `IN`, 2.0-2.8 s in this
        // form, as with fresh statistics (deploy/bench/notes-reimport.sh).
        // Citus refuses the staging table joined or correlated with a
        // distributed table, and plans each materialized CTE on its own
        // (deploy/citus/README.md). A window's partitions hold the NULL bodies
        // together, as `IS NOT DISTINCT FROM` would.
        let with: SQL = """
            \(context.tenantClients),
            file AS MATERIALIZED (
                SELECT array_agg(DISTINCT c.id) AS client_ids, min(s.noted_at) AS first, max(s.noted_at) AS last
                FROM import_stage s JOIN tenant_clients c ON c.ref = s.client_ref),
            stored AS MATERIALIZED (
                SELECT n.client_id, n.noted_at, n.channel, n.body FROM contact_notes n
                WHERE n.tenant_id = \(context.tenant.id)
                  AND n.client_id = ANY ((SELECT f.client_ids FROM file f)::uuid[])
                  AND n.noted_at BETWEEN (SELECT f.first FROM file f) AND (SELECT f.last FROM file f)),
            notes AS (
                SELECT false AS stored, c.id AS client_id, s.noted_at, s.channel, s.author, s.body, s.outcome,
                       \(unescaped: ImportCheck.minor("promise_amount")) AS promise_amount_minor,
                       CASE WHEN s.outcome = 'promise_to_pay' THEN cu.code END AS promise_currency,
                       s.promise_date, s.satisfaction
                FROM import_stage s
                JOIN tenant_clients c ON c.ref = s.client_ref
                \(promiseCurrency(context))
                WHERE \(unescaped: ImportContext.good)
                UNION ALL
                SELECT true, n.client_id, n.noted_at, n.channel, NULL, n.body, NULL, NULL, NULL, NULL, NULL
                FROM stored n),
            keyed AS (
                SELECT k.*, bool_or(k.stored) OVER (PARTITION BY k.client_id, k.noted_at, k.channel, k.body) AS known
                FROM notes k)
            """
        if dryRun {
            return try await context.tx.query("\(with) SELECT count(*) FROM keyed k WHERE NOT k.known").scalar(Int.self) ?? 0
        }
        return try await context.tx.insert("""
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, author, body, outcome,
                                       promise_amount_minor, promise_currency, promise_date, satisfaction)
            \(with)
            SELECT \(context.tenant.id), k.client_id, k.noted_at, k.channel, k.author, k.body, k.outcome,
                   k.promise_amount_minor, k.promise_currency, k.promise_date, k.satisfaction
            FROM keyed k WHERE NOT k.known
            """)
    }
}
