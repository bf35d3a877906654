import Foundation
import Postgres

extension Optional where Wrapped == CalendarDate {
    /// The date given, or the tenant's today.
    func orToday(_ tx: PostgresConnection) async throws -> CalendarDate {
        if let self { return self }
        return try await Ledger.today(tx)
    }
}
