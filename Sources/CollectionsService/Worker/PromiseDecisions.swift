import Foundation
import Postgres

/// Decides promises to pay once their date plus the tenant's grace has passed.
///
/// Kept when the client's payments in the promise's currency, received from the
/// day the promise was made (in the tenant's time zone) to its date plus grace and
/// not reversed by then, cover the promised amount; broken otherwise. The decision
/// is dated the day after the grace ended, whenever the worker gets to it. A kept
/// promise becomes broken when payments it counted are reversed later and what is
/// left no longer covers it, dated that reversal (sql/0010).
///
/// The statements are `worker_decide_promises` (sql/0006) and
/// `worker_break_bounced_promises` (sql/0010), planned once per worker connection:
/// the first sums the payments of the promises not decided yet only, the second
/// looks again only at kept promises that counted a reversed payment.
enum PromiseDecisions {
    /// The statement that decides the promises due before `asOf`: one row, one column, the number of promises
    /// decided (`count`).
    static func statement(tenant: UUID, asOf: CalendarDate, graceDays: Int, timeZone: String) -> SQL {
        "SELECT worker_decide_promises(\(tenant), \(asOf), \(Int32(graceDays))::int, \(timeZone)::text) AS decided"
    }

    /// The statement that breaks the kept promises whose payments were reversed by
    /// `asOf` and no longer cover them: one row, one column, how many it broke.
    static func bouncedStatement(tenant: UUID, asOf: CalendarDate, graceDays: Int, timeZone: String) -> SQL {
        "SELECT worker_break_bounced_promises(\(tenant), \(asOf), \(Int32(graceDays))::int, \(timeZone)::text) AS broken"
    }

    static func count(_ rows: PostgresRows) throws -> Int {
        guard let decided = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "a promise statement returned no count")
        }
        return decided
    }
}
