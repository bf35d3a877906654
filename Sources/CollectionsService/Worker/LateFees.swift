import Foundation
import Postgres

/// Accrues each invoice's late fees up to a day, as dated charges.
///
/// A fee belongs to a period the policy defines: a flat fee to the first day past
/// due date plus grace, a percentage fee to each whole month past it. The period is
/// the charge's key, so a fee is stored at most once however often a day is run.
/// Each fee is computed from facts dated on or before its own charge date (the
/// overdue principal: amount less payments and write-offs, fees not compounded),
/// so catching up ten days at once gives exactly the fees ten daily runs would.
/// No fee on an invoice that is void, disputed or (partly) written off on that date.
///
/// The statement is `worker_accrue_late_fees` (sql/0006): a PL/pgSQL function, so
/// that a worker connection plans it once rather than once per tenant.
enum LateFees {
    /// The statement that inserts the fees due on or before `asOf`, for the
    /// tenant's day to pipeline: one row, one column, the number of fees added (`count`).
    static func statement(tenant: UUID, asOf: CalendarDate) -> SQL {
        "SELECT worker_accrue_late_fees(\(tenant), \(asOf)) AS added"
    }

    static func count(_ rows: PostgresRows) throws -> Int {
        guard let added = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "worker_accrue_late_fees returned no count")
        }
        return added
    }
}
