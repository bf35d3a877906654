import Foundation
import Postgres

/// Stores the day's payment plan decisions (`worker_decide_plans`): instalments
/// missed, plans defaulted (a `plan.defaulted` event each) or kept, each dated the
/// day it took effect, as `plan_instalments_at` decides them.
enum PlanDecisions {
    /// One row, one column: how many plans were defaulted or kept.
    static func statement(tenant: UUID, asOf: CalendarDate, graceDays: Int) -> SQL {
        "SELECT worker_decide_plans(\(tenant), \(asOf), \(Int32(graceDays))::int) AS decided"
    }

    static func count(_ rows: PostgresRows) throws -> Int {
        guard let decided = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "worker_decide_plans returned no count")
        }
        return decided
    }
}
