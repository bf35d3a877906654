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
        let from: SQL = """
            FROM import_stage s
            JOIN clients c ON c.tenant_id = \(context.tenant.id) AND c.ref = s.client_ref
            \(promiseCurrency(context))
            WHERE \(unescaped: ImportContext.good)
              AND NOT EXISTS (SELECT FROM contact_notes n
                              WHERE n.tenant_id = \(context.tenant.id) AND n.client_id = c.id
                                AND n.noted_at = s.noted_at AND n.channel = s.channel
                                AND n.body IS NOT DISTINCT FROM s.body)
            """
        if dryRun {
            return try await context.tx.query("SELECT count(*) \(from)").scalar(Int.self) ?? 0
        }
        return try await context.tx.insert("""
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, author, body, outcome,
                                       promise_amount_minor, promise_currency, promise_date, satisfaction)
            SELECT \(context.tenant.id), c.id, s.noted_at, s.channel, s.author, s.body, s.outcome,
                   \(unescaped: ImportCheck.minor("promise_amount")), CASE WHEN s.outcome = 'promise_to_pay' THEN cu.code END,
                   s.promise_date, s.satisfaction
            \(from)
            """)
    }
}
