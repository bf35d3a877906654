import Postgres

/// Stores a day's ageing (per currency and per client), KPIs (per currency) and
/// satisfaction, replacing whatever the day had, so a rerun leaves equal rows.
///
/// `worker_store_day` (sql/0006) deletes the day's rows and inserts those of
/// `report_day`, which computes every invoice's balance and every payment's
/// credit once and derives from them exactly the rows of `report_ageing`,
/// `report_ageing_by_client`, `report_kpis` and `report_csat` (sql/0002), the
/// functions the live reports use. The settings the figures were computed with
/// (bucket limits, periods, grace) are stored beside them.
enum Snapshots {
    /// The statement that replaces the day's snapshots: one row, one column, the number of snapshot
    /// rows stored (`count`).
    static func statement(tenant: Tenant, asOf: CalendarDate) -> SQL {
        """
        SELECT worker_store_day(\(tenant.id), \(asOf), \(tenant.ageingBucketLimits.map(Int32.init))::int[], \
        \(Int32(tenant.dsoPeriodDays))::int, \(Int32(tenant.ceiPeriodDays))::int, \
        \(Int32(tenant.promiseGraceDays))::int, \(tenant.timeZone)::text) AS stored
        """
    }

    static func count(_ rows: PostgresRows) throws -> Int {
        guard let stored = try rows.scalar(Int.self) else {
            throw PostgresError(kind: .decoding, message: "worker_store_day returned no count")
        }
        return stored
    }
}
