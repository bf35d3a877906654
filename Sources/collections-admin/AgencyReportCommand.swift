import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// `report agencies SLUG [--as-of DATE]`: each agency's recovery rate (collected /
/// placed, per currency) and the commission it earned, live from the ledger.
struct AgencyReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agencies",
        abstract: "Each agency's placed and collected amounts, recovery rate and commission, per currency.")
    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

    /// The JSON shape: the tenant, the day, one entry per agency and currency.
    struct Report: Encodable {
        let tenant: String
        let asOf: CalendarDate?
        let agencies: [AgencyRecovery]
    }

    func run() async throws {
        try await options.withTenant { db, tenant in
            let rows = try await Agencies(database: db, tenant: tenant.id).recovery(asOf: asOf)
            try emit(Report(tenant: tenant.slug, asOf: asOf, agencies: rows), format: options.format, table: {
                Self.table(rows)
            }, instead: rows.isEmpty ? "no agencies\n" : nil)
        }
    }

    /// The recovery rows as a person reads them (the demo's printout too).
    static func table(_ rows: [AgencyRecovery]) -> Table {
        Table(headers: ["agency", "commission_bp", "currency", "placed", "collected", "recovery_rate", "commission"],
              rows: rows.map {
                  [$0.agency, String($0.commissionBP), $0.currency,
                   Money(amountMinor: $0.placedMinor, currency: $0.currency).formatted,
                   Money(amountMinor: $0.collectedMinor, currency: $0.currency).formatted,
                   $0.recoveryRate.map { String(format: "%.2f", $0) } ?? "",
                   Money(amountMinor: $0.commissionMinor, currency: $0.currency).formatted]
              })
    }
}
