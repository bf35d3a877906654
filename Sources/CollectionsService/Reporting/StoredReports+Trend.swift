import Foundation
public import Postgres

extension StoredReports {
    /// The stored KPIs of the `days` days ending at `through`, and the days the
    /// worker stored (for choosing one), in one read-only transaction: the
    /// dashboard's trend lines and its as-of picker read what the reports read.
    public static func trend(
        database: CollectionsDatabase, tenant: Tenant, through: CalendarDate, days: Int = 90
    ) async throws -> KPITrend {
        try await database.withTenant(tenant.id, readOnly: true) { tx in
            try trend(
                storedDays: try await tx.query(storedDaysSQL(tenant: tenant)),
                points: try await tx.query(trendPointsSQL(tenant: tenant, through: through, days: days)))
        }
    }

    /// Every day the worker stored, newest first, at most a year and a day.
    static func storedDaysSQL(tenant: Tenant) -> SQL {
        """
        SELECT d.as_of FROM tenant_days d
        WHERE d.tenant_id = \(tenant.id) AND d.job = \(TenantDay.job)
        ORDER BY d.as_of DESC LIMIT 366
        """
    }

    /// The stored DSO, CEI and percent current of the window, by currency then day.
    static func trendPointsSQL(tenant: Tenant, through: CalendarDate, days: Int) -> SQL {
        """
        SELECT k.as_of, k.currency::text AS currency, k.dso, k.cei, k.percent_current FROM kpi_snapshots k
        WHERE k.tenant_id = \(tenant.id) AND k.as_of <= \(through) AND k.as_of > \(through)::date - \(days)::int
        ORDER BY k.currency, k.as_of
        """
    }

    static func trend(storedDays: PostgresRows, points: PostgresRows) throws -> KPITrend {
        KPITrend(
            storedDays: try storedDays.map { try $0.decode(CalendarDate.self, column: "as_of") },
            points: try points.map { row in
                KPITrend.Point(
                    asOf: try row["as_of"], currency: try row["currency"], dso: try row["dso"], cei: try row["cei"],
                    percentCurrent: try row["percent_current"])
            })
    }
}
