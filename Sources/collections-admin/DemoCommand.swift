import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Logging
import Postgres

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Provision three demo lenders, run the worker over their last 90 days, and show ageing, KPIs and worklists.",
        discussion: """
            demo-ibm holds IBM's public accounts-receivable sample (../shared/data), converted to
            the import format and loaded through the import command's code path. The other two
            hold generated books in two currencies. Rerunning resets only these demo tenants.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The IBM sample CSV (default: ../shared/data/ibm-accounts-receivable.csv next to the checkout).")
    var ibmSample: String?
    @Option(help: "Clients per generated book.") var clients: Int = 1500
    @Option(help: "Days the worker runs over, ending at each book's last day.") var days: Int = 90

    func validate() throws {
        if !(10...100_000).contains(clients) { throw ValidationError("--clients must be between 10 and 100000") }
        if !(1...366).contains(days) { throw ValidationError("--days must be between 1 and 366") }
    }

    struct Lender {
        var slug: String
        var name: String
        var currency: String
        var timeZone: String
        var lastDay: CalendarDate
    }

    func run() async throws {
        try await reportingFailures {
            let started = ContinuousClock.now
            let db = try database.database(connections: 4)
            defer { Task { await db.close() } }
            let registry = TenantRegistry(database: db)
            _ = try await Migrator(configuration: try database.configuration()).migrate()

            let today = try await db.asOwner { try await $0.query("SELECT current_date").scalar(CalendarDate.self)! }
            let lenders = [
                Lender(slug: "demo-lonestar-title", name: "Lone Star Title Loans", currency: "USD",
                       timeZone: "America/Chicago", lastDay: today.adding(days: -1)),
                Lender(slug: "demo-northern-cash", name: "Northern Cash Advance", currency: "CAD",
                       timeZone: "America/Toronto", lastDay: today.adding(days: -1)),
            ]
            for slug in ["demo-ibm"] + lenders.map(\.slug) {
                if (try? await registry.find(slug)) != nil { _ = try await registry.delete(slug) }
            }
            var shown: [(Tenant, CalendarDate)] = []
            // The generated books.
            for (index, lender) in lenders.enumerated() {
                let tenant = try await registry.create(
                    slug: lender.slug, name: lender.name, currency: lender.currency, timeZone: lender.timeZone, actor: "demo")
                let shape = DemoBook.Shape(
                    clients: clients, invoicesPerClient: 6, months: 12, lastDay: lender.lastDay,
                    otherCurrency: lender.currency == "USD" ? "MXN" : "USD", seed: index + 1)
                let invoices = try await DemoBook.write(shape, into: tenant, database: db)
                note("\(lender.slug): generated \(clients) clients and \(invoices) invoices")
                shown.append((tenant, lender.lastDay))
            }
            try await db.asOwner { try await $0.simpleQuery("ANALYZE") }

            // The worker over the last days of each book, as its daily runs would have done.
            let worker = DailyWorker(database: db, logger: Logger(label: "demo", factory: { _ in SwiftLogNoOpLogHandler() }))
            let days = self.days
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (tenant, lastDay) in shown {
                    group.addTask {
                        let summary = try await worker.run(
                            dates: .range(lastDay.adding(days: 1 - days), lastDay), tenantSlug: tenant.slug, jobs: 1)
                        note("\(tenant.slug): worker ran \(summary.done) days up to \(lastDay)\(summary.failed > 0 ? ", \(summary.failed) failed" : "")")
                    }
                }
                try await group.waitForAll()
            }

            for (tenant, lastDay) in shown {
                printOut("\n== \(tenant.name) (\(tenant.slug)), as of \(lastDay) ==\n\nAgeing\n")
                printTable(ageingTable(try await StoredReports.ageing(database: db, tenant: tenant, asOf: lastDay)), format: .table)
                printOut("\nKPIs\n")
                printTable(kpiTable(try await StoredReports.kpis(database: db, tenant: tenant, asOf: lastDay)), format: .table)
            }
            let elapsed = ContinuousClock.now - started
            printOut("\ndemo done in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))); explore with: collections-admin report ageing|kpis SLUG, tenant list\n")
        }
    }

}

/// Progress of the demo, on stderr so that stdout holds only the reports.
func note(_ text: String) {
    FileHandle.standardError.write(Data("demo: \(text)\n".utf8))
}
