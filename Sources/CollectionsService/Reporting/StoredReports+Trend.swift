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
            let stored = try await tx.query("""
                SELECT d.as_of FROM tenant_days d
                WHERE d.tenant_id = \(tenant.id) AND d.job = \(TenantDay.job)
                ORDER BY d.as_of DESC LIMIT 366
                """).map { try $0.decode(CalendarDate.self, at: 0) }
            let points = try await tx.query("""
                SELECT k.as_of, k.currency::text AS currency, k.dso, k.cei, k.percent_current FROM kpi_snapshots k
                WHERE k.tenant_id = \(tenant.id) AND k.as_of <= \(through) AND k.as_of > \(through)::date - \(days)::int
                ORDER BY k.currency, k.as_of
                """).map { row in
                KPITrend.Point(
                    asOf: try row["as_of"], currency: try row["currency"], dso: try row["dso"], cei: try row["cei"],
                    percentCurrent: try row["percent_current"])
            }
            return KPITrend(storedDays: stored, points: points)
        }
    }
}
