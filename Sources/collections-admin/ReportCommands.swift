import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports from the snapshots the daily worker stored.",
        subcommands: [AgeingReportCommand.self, KPIReportCommand.self]
    )
}

/// The day a report is for: --as-of, else the latest day the worker stored.
func reportDay(_ asOf: CalendarDate?, tenant: Tenant, database: CollectionsDatabase) async throws -> CalendarDate {
    if let asOf { return asOf }
    guard let latest = try await StoredReports.latestDay(database: database, tenant: tenant) else {
        throw ServiceError(.notFound, "no stored snapshot for \(tenant.slug) yet; make one with: collections-worker run --tenant \(tenant.slug)")
    }
    return latest
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

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Argument(help: "The tenant's slug.") var slug: String
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the latest stored day.") var asOf: CalendarDate?
    @Flag(name: .customLong("by-client"), help: "One row per client and currency.") var byClient = false

    func run() async throws {
        try await reportingFailures {
            let db = try database.database()
            defer { Task { await db.close() } }
            let tenant = try await TenantRegistry(database: db).find(slug)
            let day = try await reportDay(asOf, tenant: tenant, database: db)
            if byClient {
                let report = try await StoredReports.ageingByClient(database: db, tenant: tenant, asOf: day)
                if output.format == .json { return try printJSON(report) }
                let labels = Ageing.buckets(limits: tenant.ageingBucketLimits).map(\.label)
                let rows = report.clients.map { client in
                    [client.clientRef, client.clientName, client.currency, money(client.totalMinor, client.currency),
                     money(client.currentMinor, client.currency)]
                        + client.buckets.map { money($0.amountMinor, client.currency) }
                        + [money(client.disputedMinor, client.currency), money(client.unappliedCreditMinor, client.currency)]
                }
                let headers = ["client", "name", "currency", "total", "current"] + labels + ["disputed", "credit"]
                if output.format == .table { printOut("\(tenant.name) (\(tenant.slug)): ageing by client as of \(day)\n\n") }
                printTable(Table(headers: headers, rows: rows, numeric: Set(3..<headers.count)), format: output.format)
                return
            }
            let report = try await StoredReports.ageing(database: db, tenant: tenant, asOf: day)
            if output.format == .json { return try printJSON(report) }
            let labels = Ageing.buckets(limits: tenant.ageingBucketLimits).map(\.label)
            let rows = report.currencies.map { c in
                [c.currency, money(c.totalMinor, c.currency), money(c.currentMinor, c.currency)]
                    + c.buckets.map { money($0.amountMinor, c.currency) }
                    + [money(c.disputedMinor, c.currency), money(c.unappliedCreditMinor, c.currency)]
            }
            let headers = ["currency", "total", "current"] + labels + ["disputed", "unapplied credit"]
            if output.format == .table { printOut("\(tenant.name) (\(tenant.slug)): ageing as of \(day)\n\n") }
            printTable(Table(headers: headers, rows: rows, numeric: Set(1..<headers.count)), format: output.format)
        }
    }
}

struct KPIReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpis",
        abstract: "DSO, countback DSO, CEI, percent current, bad debt, promises kept and CSAT, as stored for a day.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Argument(help: "The tenant's slug.") var slug: String
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the latest stored day.") var asOf: CalendarDate?

    func run() async throws {
        try await reportingFailures {
            let db = try database.database()
            defer { Task { await db.close() } }
            let tenant = try await TenantRegistry(database: db).find(slug)
            let day = try await reportDay(asOf, tenant: tenant, database: db)
            let report = try await StoredReports.kpis(database: db, tenant: tenant, asOf: day)
            if output.format == .json { return try printJSON(report) }
            let headers = ["currency", "AR", "current", "credit sales", "DSO", "countback DSO", "best DSO", "ADD",
                           "CEI %", "% current", "bad debt %", "promises kept %", "CSAT %", "CSAT avg", "scores"]
            let rows = report.currencies.map { c in
                [c.currency, money(c.arMinor, c.currency), money(c.currentMinor, c.currency),
                 money(c.creditSalesMinor, c.currency), ratio(c.dso), ratio(c.countbackDSO), ratio(c.bestPossibleDSO),
                 ratio(c.averageDaysDelinquent), ratio(c.cei), ratio(c.percentCurrent), ratio(c.badDebtRatio),
                 ratio(c.promiseKeptRate), ratio(c.csatPercent), ratio(c.csatAverage), String(c.csatCount)]
            }
            if output.format == .table {
                printOut("\(tenant.name) (\(tenant.slug)): KPIs as of \(day) (DSO period \(report.dsoPeriodDays) days, CEI period \(report.ceiPeriodDays) days)\n\n")
            }
            printTable(Table(headers: headers, rows: rows, numeric: Set(1..<headers.count)), format: output.format)
        }
    }
}

