import CollectionsService
import Foundation
import Postgres

extension ImportContext {
    /// Runs `checks` over the staged rows in one pass (`from` must alias the
    /// staging table `s`) and records a problem for each that fails.
    func record(from: SQL, _ checks: [ImportCheck]) async throws {
        let values = checks.map { check in
            let column = check.column.map { "'\($0)'" } ?? "NULL::text"
            return "(\(position(check.column ?? "")), \(column), CASE WHEN \(check.condition) THEN \(check.reason) END)"
        }.joined(separator: ",\n            ")
        let any = checks.map { "(\($0.condition))" }.joined(separator: "\n           OR ")
        try await tx.execute("""
            INSERT INTO import_rejects (line, position, column_name, reason)
            SELECT s.line, v.position, v.column_name, v.reason
            \(from)
            CROSS JOIN LATERAL (VALUES
                \(unescaped: values)
            ) AS v(position, column_name, reason)
            WHERE (\(unescaped: any)) AND v.reason IS NOT NULL
            """)
    }

    /// The staged rows `s` with what `ImportCheck.knownClient` and
    /// `.knownCurrency` look at: `c`, the tenant's client by `client_ref`, and
    /// `cu`, the currency by code. A check's FROM for rows that name both.
    var stagedWithClientAndCurrency: SQL {
        """
        FROM import_stage s
        LEFT JOIN clients c ON c.tenant_id = \(tenant.id) AND c.ref = s.client_ref
        LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
        """
    }

    /// `NOT EXISTS` a problem for the row: the good rows.
    static let good = "NOT EXISTS (SELECT FROM import_rejects r WHERE r.line = s.line)"
}
