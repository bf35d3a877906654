import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports from the snapshots the daily worker stored.",
        subcommands: [AgeingReportCommand.self, KPIReportCommand.self, WorklistCommand.self, RemindersCommand.self,
                      DunningPlanCommand.self, DeliveriesCommand.self, AgencyReportCommand.self,
                      CollectorReportCommand.self]
    )
}

/// The day a report is for: --as-of, else the latest day the worker stored.
func reportDay(_ asOf: CalendarDate?, tenant: Tenant, database: CollectionsDatabase) async throws -> CalendarDate {
    try await StoredReports.day(asOf, tenant: tenant, database: database)
}

/// An amount for a person: grouped, with the currency's decimals.
func money(_ minor: Int, _ currency: String) -> String {
    Money(amountMinor: Int64(minor), currency: currency).formatted
}

func ratio(_ value: Double?) -> String {
    guard let value else { return "-" }
    return String(format: "%.2f", value)
}

struct AgeingReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ageing",
        abstract: "Receivables by days past due, per currency (or per client), as stored for a day.")

    @OptionGroup var options: StoredDayOptions
    @Flag(name: .customLong("by-client"), help: "One row per client and currency.") var byClient = false

    func run() async throws {
        try await options.withDay { db, tenant, day in
            if byClient {
                let report = try await StoredReports.ageingByClient(database: db, tenant: tenant, asOf: day)
                let labels = Ageing.buckets(limits: tenant.ageingBucketLimits).map(\.label)
                return try emit(report, format: options.tenant.format, table: {
                    let rows = report.clients.map { [$0.clientRef, $0.clientName, $0.currency] + ageingCells($0.figures) }
                    let headers = ["client", "name", "currency", "total", "current"] + labels + ["disputed", "credit"]
                    return Table(headers: headers, rows: rows, numeric: Set(3..<headers.count))
                }, before: "\(tenant.name) (\(tenant.slug)): ageing by client as of \(day)\n\n")
            }
            let report = try await StoredReports.ageing(database: db, tenant: tenant, asOf: day)
            try emit(report, format: options.tenant.format, table: { ageingTable(report) },
                     before: "\(tenant.name) (\(tenant.slug)): ageing as of \(day)\n\n")
        }
    }
}

/// Ageing per currency: total, current, each past-due bucket, disputed, credit.
func ageingTable(_ report: AgeingReport) -> Table {
    let labels = report.currencies.first?.buckets.map(\.label) ?? []
    let rows = report.currencies.map { [$0.currency] + ageingCells($0) }
    let headers = ["currency", "total", "current"] + labels + ["disputed", "unapplied credit"]
    return Table(headers: headers, rows: rows, numeric: Set(1..<headers.count))
}

/// An ageing line's figures for a person, per currency and per client alike:
/// total, current, each past-due bucket, disputed, credit.
func ageingCells(_ figures: AgeingFigures) -> [String] {
    let currency = figures.currency
    return [money(figures.totalMinor, currency), money(figures.currentMinor, currency)]
        + figures.buckets.map { money($0.amountMinor, currency) }
        + [money(figures.disputedMinor, currency), money(figures.unappliedCreditMinor, currency)]
}

/// KPIs, one column per currency: a long row of fifteen figures does not fit a terminal.
func kpiTable(_ report: KPIReport) -> Table {
    let c = report.currencies
    func row(_ name: String, _ value: (KPIReport.Currency) -> String) -> [String] { [name] + c.map(value) }
    let rows: [[String]] = [
        row("AR") { money($0.arMinor, $0.currency) },
        row("current") { money($0.currentMinor, $0.currency) },
        row("credit sales (\(report.dsoPeriodDays) days)") { money($0.creditSalesMinor, $0.currency) },
        row("DSO (days)") { ratio($0.dso) },
        row("countback DSO (days)") { ratio($0.countbackDSO) },
        row("best possible DSO (days)") { ratio($0.bestPossibleDSO) },
        row("average days delinquent") { ratio($0.averageDaysDelinquent) },
        row("CEI (%, \(report.ceiPeriodDays) days)") { ratio($0.cei) },
        row("current (%)") { ratio($0.percentCurrent) },
        row("bad-debt ratio (%)") { ratio($0.badDebtRatio) },
        row("promises kept (%)") { ratio($0.promiseKeptRate) + " (\($0.promisesKept)/\($0.promisesDue))" },
        row("plans kept (%)") { ratio($0.planKeptRate) + " (\($0.plansKept)/\($0.plansEnded))" },
        row("CSAT (% 4-5)") { ratio($0.csatPercent) },
        row("CSAT average (1-5)") { ratio($0.csatAverage) },
        row("satisfaction scores") { String($0.csatCount) },
    ]
    return Table(headers: ["KPI"] + c.map(\.currency), rows: rows, numeric: Set(1...max(1, c.count)))
}

struct KPIReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpis",
        abstract: "DSO, countback DSO, CEI, percent current, bad debt, promises kept and CSAT, as stored for a day.")

    @OptionGroup var options: StoredDayOptions

    func run() async throws {
        try await options.withDay { db, tenant, day in
            let report = try await StoredReports.kpis(database: db, tenant: tenant, asOf: day)
            try emit(report, format: options.tenant.format, table: { kpiTable(report) }, before: """
                \(tenant.name) (\(tenant.slug)): KPIs as of \(day) (DSO period \(report.dsoPeriodDays) days, \
                CEI period \(report.ceiPeriodDays) days)


                """)
        }
    }
}
