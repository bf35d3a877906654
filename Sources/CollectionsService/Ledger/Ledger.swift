import Foundation
import Postgres

enum Ledger {
    /// "Today" for `tenant`: the date in its IANA time zone.
    static func today(_ tenant: UUID, in tx: PostgresConnection) async throws -> CalendarDate {
        let today = try await tx.query(todaySQL(tenant)).scalar(CalendarDate.self)
        guard let today else { throw ServiceError(.suspended, "the tenant is suspended or does not exist") }
        return today
    }

    /// `today`'s query: the date in the tenant's zone, one row.
    static func todaySQL(_ tenant: UUID) -> SQL {
        "SELECT local_date(now(), t.time_zone) FROM tenants t WHERE t.id = \(tenant)"
    }

    /// A pattern for ILIKE that matches `text` anywhere, literally: `%`, `_` and the
    /// escape character `\` in what the collector typed match only themselves.
    static func containsPattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}
