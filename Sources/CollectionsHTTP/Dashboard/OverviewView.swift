import CollectionsService
import Foundation
import Postgres

/// The overview page of one stored day: per currency the AR and its ageing
/// (bars), the KPI set with its periods, and 90-day trend lines of DSO, CEI
/// and percent current, all read through the stored reports
/// (`StoredReports.overview`: the queries and readers `report ageing|kpis` and
/// `/v1/reports/...` use, in one transaction of at most two statements).
struct OverviewView: Sendable {
    struct Day: Sendable {
        var value: String
        var selected: Bool
    }

    struct Figure: Sendable {
        var currency: String
        var label: String
        var minor: Int
        var text: String
    }

    struct KPI: Sendable {
        var currency: String
        var key: String
        var label: String
        /// 2 decimals, as the report rounds it; empty when the report has null.
        var value: String
        var text: String
    }

    struct CurrencyFigures: Sendable {
        var code: String
        var totalMinor: Int
        var total: String
        var currentMinor: Int
        var current: String
        var disputedMinor: Int
        var disputed: String
        var unappliedMinor: Int
        var unapplied: String
        var buckets: [Figure]
        var bars: AgeingChart
        var dsoPeriodDays: Int
        var ceiPeriodDays: Int
        var promiseGraceDays: Int
        var kpis: [KPI]
        var trends: [TrendChart]
    }

    var chrome: DashboardChrome
    var asOf: String
    var days: [Day]
    var currencies: [CurrencyFigures]

    static let trendDays = 90

    static func make(
        database: CollectionsDatabase, tenant: Tenant, asOf requested: CalendarDate?, chrome: DashboardChrome
    ) async throws -> OverviewView {
        // One transaction, at most two statements (StoredReports.overview).
        let overview = try await StoredReports.overview(
            database: database, tenant: tenant, asOf: requested, trendDays: trendDays)
        let (day, ageing, trend) = (overview.asOf, overview.ageing, overview.trend)
        let currencies = ageing.currencies.map { figures in
            let money = { (minor: Int) in Money(amountMinor: Int64(minor), currency: figures.currency).formatted }
            let row = overview.kpis.first { $0.currency == figures.currency }
            let points = trend.points.filter { $0.currency == figures.currency }
            func line(_ key: String, _ label: String, _ value: (KPITrend.Point) -> Double?) -> TrendChart {
                TrendChart(
                    id: "\(figures.currency)-\(key)", label: label, currency: figures.currency, through: day, days: trendDays,
                    values: points.compactMap { point in value(point).map { (point.asOf, $0) } })
            }
            return CurrencyFigures(
                code: figures.currency, totalMinor: figures.totalMinor, total: money(figures.totalMinor),
                currentMinor: figures.currentMinor, current: money(figures.currentMinor),
                disputedMinor: figures.disputedMinor, disputed: money(figures.disputedMinor),
                unappliedMinor: figures.unappliedCreditMinor, unapplied: money(figures.unappliedCreditMinor),
                buckets: figures.buckets.map {
                    Figure(currency: figures.currency, label: $0.label, minor: $0.amountMinor, text: money($0.amountMinor))
                },
                bars: AgeingChart(figures),
                dsoPeriodDays: overview.dsoPeriodDays, ceiPeriodDays: overview.ceiPeriodDays, promiseGraceDays: overview.promiseGraceDays,
                kpis: row.map { Self.kpis($0) } ?? [],
                trends: [
                    line("dso", "DSO (days)", \.dso), line("cei", "CEI (%)", \.cei),
                    line("percent_current", "Percent current", \.percentCurrent),
                ])
        }
        var days = trend.storedDays.map { Day(value: $0.description, selected: $0 == day) }
        if !days.contains(where: \.selected) { days.insert(Day(value: day.description, selected: true), at: 0) }
        return OverviewView(chrome: chrome, asOf: day.description, days: days, currencies: currencies)
    }

    /// The KPI set of one currency, keyed by the report's JSON names.
    static func kpis(_ row: KPIReport.Currency) -> [KPI] {
        let money = { (minor: Int) in Money(amountMinor: Int64(minor), currency: row.currency).formatted }
        let ratios: [(String, String, Double?, String)] = [
            ("dso", "DSO", row.dso, " days"),
            ("countback_dso", "Countback DSO", row.countbackDSO, " days"),
            ("best_possible_dso", "Best possible DSO", row.bestPossibleDSO, " days"),
            ("average_days_delinquent", "Average days delinquent", row.averageDaysDelinquent, " days"),
            ("cei", "CEI", row.cei, "%"),
            ("percent_current", "Percent current", row.percentCurrent, "%"),
            ("bad_debt_ratio", "Bad-debt ratio", row.badDebtRatio, "%"),
            ("promise_kept_rate", "Promise-kept rate", row.promiseKeptRate, "%"),
            ("plan_kept_rate", "Plan-kept rate", row.planKeptRate, "%"),
            ("csat_percent", "CSAT", row.csatPercent, "%"),
            ("csat_average", "CSAT average", row.csatAverage, " of 5"),
        ]
        var figures = ratios.map { key, label, value, unit in
            let text = value.map { TrendChart.text($0) } ?? ""
            return KPI(currency: row.currency, key: key, label: label, value: text,
                       text: value == nil ? "n/a" : text + unit)
        }
        figures.append(KPI(currency: row.currency, key: "credit_sales_minor", label: "Credit sales (DSO period)",
                           value: String(row.creditSalesMinor), text: money(row.creditSalesMinor)))
        figures.append(KPI(currency: row.currency, key: "write_offs_minor", label: "Write-offs (DSO period)",
                           value: String(row.writeOffsMinor), text: money(row.writeOffsMinor)))
        figures.append(KPI(currency: row.currency, key: "ar_minor", label: "AR (KPI)", value: String(row.arMinor),
                           text: money(row.arMinor)))
        return figures
    }
}
