import Foundation
import Postgres
import CollectionsService

/// `ref,name,email,phone,payment_terms_days,credit_limit,currency`: clients,
/// unique by ref per tenant (only `ref` and `name` are required; payment terms
/// default to 30 days; a credit limit is in the client's currency, so it needs
/// one). A client already stored with the same details is left as it is; with
/// other details the row is bad. Only the columns the file has are compared.
enum ClientImport {
    static func check(_ context: ImportContext) async throws {
        var differences: [(condition: String, label: String)] = [
            ("c.name <> s.name", "format('name \"%s\" here, \"%s\" stored', s.name, c.name)")
        ]
        if context.has("email") {
            differences.append(("c.email IS DISTINCT FROM s.email", "format('email %s here, %s stored', coalesce(s.email, '(none)'), coalesce(c.email, '(none)'))"))
        }
        if context.has("phone") {
            differences.append(("c.phone IS DISTINCT FROM s.phone", "format('phone %s here, %s stored', coalesce(s.phone, '(none)'), coalesce(c.phone, '(none)'))"))
        }
        if context.has("payment_terms_days") {
            differences.append(("c.payment_terms_days <> coalesce(s.payment_terms_days, 30)",
                                "format('payment_terms_days %s here, %s stored', coalesce(s.payment_terms_days, 30), c.payment_terms_days)"))
        }
        if context.has("currency") {
            differences.append(("c.currency::text IS DISTINCT FROM s.currency",
                                "format('currency %s here, %s stored', coalesce(s.currency, '(none)'), coalesce(c.currency::text, '(none)'))"))
        }
        if context.has("credit_limit") {
            differences.append(("c.credit_limit_minor IS DISTINCT FROM s.credit_limit * cu.factor",
                                "format('credit_limit %s here, %s stored', coalesce(s.credit_limit::text, '(none)'), coalesce(round(c.credit_limit_minor / cl.factor, cl.exponent)::text, '(none)'))"))
        }
        let differs = differences.map { "(\($0.condition))" }.joined(separator: " OR ")
        let labels = differences.map { "CASE WHEN \($0.condition) THEN \($0.label) END" }.joined(separator: ", ")
        try await context.record(
            from: """
                FROM import_stage s
                LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
                LEFT JOIN clients c ON c.tenant_id = \(context.tenant.id) AND c.ref = s.ref
                LEFT JOIN \(unescaped: ImportCheck.currencies) cl ON cl.code = c.currency::text
                LEFT JOIN \(unescaped: ImportCheck.duplicates(of: "ref")) d ON d.ref = s.ref
                """,
            [
                .knownCurrency,
                ImportCheck(
                    "credit_limit", "s.credit_limit IS NOT NULL AND s.currency IS NULL",
                    "'a credit limit needs a currency: fill in the currency column'"),
                ImportCheck.unique("ref", "client ref"),
                ImportCheck(
                    "ref", "s.problems IS NULL AND cu.code IS NOT DISTINCT FROM s.currency AND c.id IS NOT NULL AND (\(differs))",
                    "format('client %s already exists with different details: %s', s.ref, concat_ws(', ', \(labels)))"),
            ] + ImportCheck.amount("credit_limit"))
    }

    static func write(_ context: ImportContext, dryRun: Bool) async throws -> Int {
        let from: SQL = """
            FROM import_stage s
            LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
            WHERE \(unescaped: ImportContext.good)
            """
        return try await context.insertNew(
            from: from, stored: "SELECT FROM clients c WHERE c.tenant_id = \(context.tenant.id) AND c.ref = s.ref",
            insert: """
                INSERT INTO clients (tenant_id, ref, name, email, phone, payment_terms_days, credit_limit_minor, currency)
                SELECT \(context.tenant.id), s.ref, s.name, s.email, s.phone, coalesce(s.payment_terms_days, 30),
                       \(unescaped: ImportCheck.minor("credit_limit")), s.currency
                \(from)
                ON CONFLICT (tenant_id, ref) DO NOTHING
                """,
            dryRun: dryRun)
    }
}
