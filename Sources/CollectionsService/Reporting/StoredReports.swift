import Foundation
public import Postgres

/// Reports read from what the daily worker stored, not recomputed: the numbers a
/// lender saw that day stay the numbers it sees later.
public enum StoredReports {
    /// The latest day with stored snapshots on or before `onOrBefore` (or ever).
    public static func latestDay(database: CollectionsDatabase, tenant: Tenant, onOrBefore: CalendarDate? = nil) async throws -> CalendarDate? {
        try await database.withTenant(tenant.id, readOnly: true) { tx in
            try await latestDay(tenant: tenant, onOrBefore: onOrBefore, in: tx)
        }
    }

    static func latestDay(tenant: Tenant, onOrBefore: CalendarDate? = nil, in tx: PostgresConnection) async throws -> CalendarDate? {
        try await tx.query("""
            SELECT max(d.as_of) FROM tenant_days d
            WHERE d.tenant_id = \(tenant.id) AND d.job = \(TenantDay.job) AND (\(onOrBefore)::date IS NULL OR d.as_of <= \(onOrBefore))
            """).scalar(CalendarDate?.self) ?? nil
    }

    /// A row when the worker stored the day (`SELECT 1`), none when it did not.
    static func storedDaySQL(tenant: Tenant, asOf: CalendarDate) -> SQL {
        """
        SELECT 1 FROM tenant_days d WHERE d.tenant_id = \(tenant.id) AND d.job = \(TenantDay.job) AND d.as_of = \(asOf)
        """
    }

    /// What a stored report says when the worker stored nothing for the day.
    static func notStored(tenant: Tenant, asOf: CalendarDate) -> ServiceError {
        ServiceError.notFound(
            "no stored snapshot for \(tenant.slug) as of \(asOf); make it with: collections-worker run --tenant \(tenant.slug) --as-of \(asOf)")
    }

    /// A stored report's reading, in one read-only transaction for the tenant,
    /// refused in words when the worker stored nothing for that day (rather than
    /// an empty report that looks like a book with nothing owed).
    static func stored<Report>(
        _ database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate,
        _ read: (PostgresConnection) async throws -> Report
    ) async throws -> Report {
        try await database.withTenant(tenant.id, readOnly: true) { tx in
            guard try await tx.query(storedDaySQL(tenant: tenant, asOf: asOf)).first != nil else {
                throw notStored(tenant: tenant, asOf: asOf)
            }
            return try await read(tx)
        }
    }

    public static func ageing(database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate) async throws -> AgeingReport {
        try await stored(database, tenant: tenant, asOf: asOf) { tx in
            try ageing(rows: try await tx.query(ageingSQL(tenant: tenant, asOf: asOf)), tenant: tenant, asOf: asOf)
        }
    }

    /// The stored ageing of the day, a row per currency.
    static func ageingSQL(tenant: Tenant, asOf: CalendarDate) -> SQL {
        """
        SELECT currency, bucket_limits, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor
        FROM ageing_snapshots WHERE tenant_id = \(tenant.id) AND as_of = \(asOf) ORDER BY currency
        """
    }

    static func ageing(rows: PostgresRows, tenant: Tenant, asOf: CalendarDate) throws -> AgeingReport {
        let currencies = try rows.map { row in
            try AgeingFigures(row: row, ranges: Ageing.buckets(limits: try row["bucket_limits"]))
        }
        return AgeingReport(tenant: tenant.slug, asOf: asOf, currencies: currencies)
    }

    public static func ageingByClient(database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate) async throws -> ClientAgeingReport {
        try await stored(database, tenant: tenant, asOf: asOf) { tx in
            let rows = try await tx.query("""
                SELECT s.client_id, c.ref AS client_ref, c.name AS client_name, s.currency, s.bucket_limits, s.total_minor, s.current_minor,
                       s.bucket_minor, s.disputed_minor, s.unapplied_credit_minor
                FROM client_ageing_snapshots s JOIN clients c ON c.tenant_id = \(tenant.id) AND c.id = s.client_id
                WHERE s.tenant_id = \(tenant.id) AND s.as_of = \(asOf) ORDER BY s.currency, c.ref
                """)
            let clients = try rows.map { row in
                try ClientAgeingReport.Client(row: row, ranges: Ageing.buckets(limits: try row["bucket_limits"]))
            }
            return ClientAgeingReport(tenant: tenant.slug, asOf: asOf, clients: clients)
        }
    }

    public static func kpis(database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate) async throws -> KPIReport {
        try await stored(database, tenant: tenant, asOf: asOf) { tx in
            let csatRow = try await tx.query("""
                SELECT csat_percent, csat_average, csat_count FROM csat_snapshots
                WHERE tenant_id = \(tenant.id) AND as_of = \(asOf)
                """).first
            let csat = try CSAT(
                percent: csatRow?.decode(Double?.self, column: "csat_percent") ?? nil,
                average: csatRow?.decode(Double?.self, column: "csat_average") ?? nil,
                count: csatRow?.decode(Int.self, column: "csat_count") ?? 0)
            let figures = try kpiFigures(rows: try await tx.query(kpisSQL(tenant: tenant, asOf: asOf)), tenant: tenant)
            let (dso, cei, grace) = (figures.dsoPeriodDays, figures.ceiPeriodDays, figures.promiseGraceDays)
            let currencies = figures.currencies
            return KPIReport(
                tenant: tenant.slug, asOf: asOf, dsoPeriodDays: dso, ceiPeriodDays: cei, promiseGraceDays: grace,
                csat: csat, currencies: currencies,
                agencies: try await AgencyRecovery.all(tenant: tenant.id, asOf: asOf, in: tx),
                // The stored day's own DSO period and grace, the tenant's zone.
                collectors: try await CollectorFigures.all(
                    tenant: tenant.id, asOf: asOf, dsoPeriodDays: dso, promiseGraceDays: grace,
                    timeZone: tenant.timeZone, in: tx))
        }
    }

    /// The stored KPI rows of the day, a row per currency.
    static func kpisSQL(tenant: Tenant, asOf: CalendarDate) -> SQL {
        """
        SELECT * FROM kpi_snapshots WHERE tenant_id = \(tenant.id) AND as_of = \(asOf) ORDER BY currency
        """
    }

    /// The stored KPI rows read, with the periods they were computed for (the
    /// tenant's present ones when the day has no row).
    static func kpiFigures(rows: PostgresRows, tenant: Tenant) throws
        -> (currencies: [KPIReport.Currency], dsoPeriodDays: Int, ceiPeriodDays: Int, promiseGraceDays: Int)
    {
        var dso = tenant.dsoPeriodDays
        var cei = tenant.ceiPeriodDays
        var grace = tenant.promiseGraceDays
        let currencies = try rows.map { row in
            dso = try row["dso_period_days"]
            cei = try row["cei_period_days"]
            grace = try row["promise_grace_days"]
            return KPIReport.Currency(
                currency: try row["currency"], arMinor: try row["ar_minor"], currentMinor: try row["current_minor"],
                creditSalesMinor: try row["credit_sales_minor"], dso: try row["dso"], countbackDSO: try row["countback_dso"],
                bestPossibleDSO: try row["best_possible_dso"], averageDaysDelinquent: try row["average_days_delinquent"],
                cei: try row["cei"], percentCurrent: try row["percent_current"], badDebtRatio: try row["bad_debt_ratio"],
                promiseKeptRate: try row["promise_kept_rate"], csatPercent: try row["csat_percent"],
                csatAverage: try row["csat_average"], csatCount: try row["csat_count"],
                ceiOpeningARMinor: try row["cei_opening_ar_minor"], ceiCreditSalesMinor: try row["cei_credit_sales_minor"],
                writeOffsMinor: try row["write_offs_minor"], promisesDue: try row["promises_due"],
                promisesKept: try row["promises_kept"], planKeptRate: try row["plan_kept_rate"],
                plansEnded: try row["plans_ended"], plansKept: try row["plans_kept"])
        }
        return (currencies, dso, cei, grace)
    }
}
