import Foundation
import Postgres

extension Optional where Wrapped == CalendarDate {
    /// The date given, or `tenant`'s today.
    func orToday(_ tenant: UUID, in tx: PostgresConnection) async throws -> CalendarDate {
        if let self { return self }
        return try await Ledger.today(tenant, in: tx)
    }
}
