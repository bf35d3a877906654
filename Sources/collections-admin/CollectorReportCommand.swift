import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// `report collectors SLUG [--as-of DATE]`: each collector's promises due and
/// kept, promise-kept rate and money collected after their contacts, per
/// currency, live from the ledger and the notes (`report_collector_kpis`, the
/// KPI report's `collectors` field).
struct CollectorReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collectors",
        abstract: "Each collector's promises due and kept, promise-kept rate and collected after contact, per currency.")
    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

    /// The JSON shape: the tenant, the day, one entry per collector and currency.
    struct Report: Encodable {
        let tenant: String
        let asOf: CalendarDate?
        let dsoPeriodDays: Int
        let collectors: [CollectorFigures]
    }

    func run() async throws {
        try await options.withTenant { db, tenant in
            let rows = try await Collectors(database: db, tenant: tenant.id).figures(tenant, asOf: asOf)
            try emit(Report(tenant: tenant.slug, asOf: asOf, dsoPeriodDays: tenant.dsoPeriodDays, collectors: rows),
                     format: options.format, table: {
                Table(headers: ["collector", "team", "currency", "promises_due", "promises_kept", "promise_kept_rate",
                                "collected_after_contact"],
                      rows: rows.map {
                          [$0.collector, $0.team ?? "", $0.currency, String($0.promisesDue), String($0.promisesKept),
                           $0.promiseKeptRate.map { String(format: "%.2f", $0) } ?? "",
                           Money(amountMinor: $0.collectedAfterContactMinor, currency: $0.currency).formatted]
                      }, numeric: [3, 4, 5, 6])
            }, instead: rows.isEmpty ? "no collectors\n" : nil)
        }
    }
}
