import Foundation
public import Postgres

extension StoredReports {
    /// What the dashboard's overview shows of a stored day: the ageing and the
    /// KPI rows per currency (as `report ageing|kpis` read them) and the trend
    /// window with the stored days.
    public struct Overview: Sendable {
        public var asOf: CalendarDate
        public var ageing: AgeingReport
        public var kpis: [KPIReport.Currency]
        public var dsoPeriodDays: Int
        public var ceiPeriodDays: Int
        public var promiseGraceDays: Int
        public var trend: KPITrend
    }

    /// The overview of `asOf` (else the latest stored day) in one read-only
    /// transaction and at most two statements: the latest day when none is
    /// asked for, then the ageing, the KPIs and the trend together, each the
    /// query its own report runs (`ageingSQL`, `kpisSQL`, `storedDaysSQL`,
    /// `trendPointsSQL`) nested as JSON and read by the report's own reader.
    /// Refused as the reports refuse a day the worker did not store.
    public static func overview(
        database: CollectionsDatabase, tenant: Tenant, asOf requested: CalendarDate?, trendDays: Int
    ) async throws -> Overview {
        try await database.withTenant(tenant.id, readOnly: true) { tx in
            let day: CalendarDate
            if let requested {
                day = requested
            } else if let latest = try await latestDay(tenant: tenant, in: tx) {
                day = latest
            } else {
                throw noStoredDay(tenant)
            }
            let row = try await tx.query("""
                SELECT EXISTS (\(storedDaySQL(tenant: tenant, asOf: day))) AS stored,
                       \(SQL.nestedRows(ageingSQL(tenant: tenant, asOf: day))) AS ageing,
                       \(SQL.nestedRows(kpisSQL(tenant: tenant, asOf: day))) AS kpis,
                       \(SQL.nestedRows(storedDaysSQL(tenant: tenant))) AS stored_days,
                       \(SQL.nestedRows(trendPointsSQL(tenant: tenant, through: day, days: trendDays))) AS points
                """)[0]
            guard try row["stored", as: Bool.self] else { throw notStored(tenant: tenant, asOf: day) }
            let figures = try kpiFigures(rows: try row.nested("kpis"), tenant: tenant)
            return Overview(
                asOf: day, ageing: try ageing(rows: try row.nested("ageing"), tenant: tenant, asOf: day),
                kpis: figures.currencies, dsoPeriodDays: figures.dsoPeriodDays, ceiPeriodDays: figures.ceiPeriodDays,
                promiseGraceDays: figures.promiseGraceDays,
                trend: try trend(storedDays: try row.nested("stored_days"), points: try row.nested("points")))
        }
    }
}
