public import Foundation
public import Postgres

/// DESIGN.md's KPIs as of a date, computed in the database (`report_kpis` and
/// `report_csat` in `sql/0002_reporting.sql`) in one statement.
public enum KPIs {
    /// The tenant's KPIs at `asOf` (default: the tenant's today), with the
    /// tenant's periods, grace days and time zone, in one read-only transaction.
    public static func compute(
        database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate? = nil
    ) async throws -> KPIReport {
        try await Reporting.live(database, tenant: tenant, asOf: asOf) { try await compute(in: $0, tenant: tenant, asOf: $1) }
    }

    /// The same inside a transaction the caller opened with `withTenant` for
    /// `tenant` (it switches JIT off for the rest of that transaction).
    public static func compute(in tx: PostgresConnection, tenant: Tenant, asOf: CalendarDate) async throws -> KPIReport {
        // One statement: the tenant-wide satisfaction row, joined to the currency
        // rows (none when the tenant has no currency at all).
        let rows = try await Reporting.run("""
            SELECT s.csat_percent AS tenant_csat_percent, s.csat_average AS tenant_csat_average,
                   s.csat_count AS tenant_csat_count, k.*, pk.plans_ended, pk.plans_kept, pk.plan_kept_rate
            FROM (\(csatSQL(asOf: asOf, tenant: tenant))) s
            LEFT JOIN (\(rowsSQL(asOf: asOf, tenant: tenant))) k ON true
            LEFT JOIN report_plan_kept(\(tenant.id), \(asOf), \(tenant.dsoPeriodDays)::int,
                                       \(tenant.promiseGraceDays)::int) pk ON pk.currency = k.currency
            ORDER BY k.currency
            """, in: tx)
        guard let first = rows.first else {
            throw PostgresError(kind: .decoding, message: "report_csat returned no row")
        }
        let csat = CSAT(
            percent: try first["tenant_csat_percent"], average: try first["tenant_csat_average"],
            count: try first["tenant_csat_count"])
        var currencies: [KPIReport.Currency] = []
        for row in rows {
            guard let currency = try row["currency", as: String?.self] else { continue }
            currencies.append(KPIReport.Currency(
                currency: currency,
                arMinor: try row["ar_minor"],
                currentMinor: try row["current_minor"],
                creditSalesMinor: try row["credit_sales_minor"],
                dso: try row["dso"],
                countbackDSO: try row["countback_dso"],
                bestPossibleDSO: try row["best_possible_dso"],
                averageDaysDelinquent: try row["average_days_delinquent"],
                cei: try row["cei"],
                percentCurrent: try row["percent_current"],
                badDebtRatio: try row["bad_debt_ratio"],
                promiseKeptRate: try row["promise_kept_rate"],
                csatPercent: try row["csat_percent"],
                csatAverage: try row["csat_average"],
                csatCount: try row["csat_count"],
                ceiOpeningARMinor: try row["cei_opening_ar_minor"],
                ceiCreditSalesMinor: try row["cei_credit_sales_minor"],
                writeOffsMinor: try row["write_offs_minor"],
                promisesDue: try row["promises_due"],
                promisesKept: try row["promises_kept"],
                planKeptRate: try row["plan_kept_rate"],
                plansEnded: try row["plans_ended", as: Int?.self] ?? 0,
                plansKept: try row["plans_kept", as: Int?.self] ?? 0))
        }
        return KPIReport(
            tenant: tenant.slug, asOf: asOf, dsoPeriodDays: tenant.dsoPeriodDays,
            ceiPeriodDays: tenant.ceiPeriodDays, promiseGraceDays: tenant.promiseGraceDays,
            csat: csat, currencies: currencies, agencies: try await AgencyRecovery.all(tenant: tenant.id, asOf: asOf, in: tx),
            collectors: try await CollectorFigures.all(
                tenant: tenant.id, asOf: asOf, dsoPeriodDays: tenant.dsoPeriodDays,
                promiseGraceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone, in: tx))
    }

    /// The statement behind `compute`, one row per currency, for the worker to
    /// embed in its snapshot upsert (in a transaction with the tenant set), with
    /// the tenant's settings. Columns, in order: currency, ar_minor,
    /// current_minor, credit_sales_minor, dso, countback_dso, best_possible_dso,
    /// average_days_delinquent, cei, percent_current, bad_debt_ratio,
    /// promise_kept_rate, csat_percent, csat_average, csat_count,
    /// cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor,
    /// promises_due, promises_kept (ratios numeric(.,2) or NULL, money bigint).
    public static func rowsSQL(asOf: CalendarDate, tenant: Tenant) -> SQL {
        rowsSQL(tenant: tenant.id, asOf: asOf, dsoPeriodDays: tenant.dsoPeriodDays, ceiPeriodDays: tenant.ceiPeriodDays,
                promiseGraceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone)
    }

    public static func rowsSQL(
        tenant: UUID, asOf: CalendarDate, dsoPeriodDays: Int, ceiPeriodDays: Int, promiseGraceDays: Int, timeZone: String
    ) -> SQL {
        """
        SELECT * FROM report_kpis(\(tenant), \(asOf), \(dsoPeriodDays)::int, \(ceiPeriodDays)::int, \
        \(promiseGraceDays)::int, \(timeZone)::text)
        """
    }

    /// Satisfaction alone (one row: csat_percent, csat_average, csat_count).
    public static func csatSQL(asOf: CalendarDate, tenant: Tenant) -> SQL {
        "SELECT * FROM report_csat(\(tenant.id), \(asOf), \(tenant.dsoPeriodDays)::int, \(tenant.timeZone)::text)"
    }
}
