import ArgumentParser
import CollectionsCommandLine
import CollectionsDemo
import CollectionsImport
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
    @Option(name: .customLong("worker-database-url"),
            help: "The worker's login for its days (a member of collections_worker; default: the database URL).")
    var workerDatabaseURL: String?

    /// Deletes the demo tenant if a previous demo left it, and creates it afresh.
    static func reset(_ lender: Lender, registry: TenantRegistry) async throws -> Tenant {
        if (try? await registry.find(lender.slug)) != nil { _ = try await registry.delete(lender.slug, actor: "demo") }
        return try await registry.create(
            slug: lender.slug, name: lender.name, currency: lender.currency, timeZone: lender.timeZone, actor: "demo")
    }

    /// IBM's sample through the importer (the import command's code path), then its
    /// disputes: opened by the due date and before the day it was settled (when it
    /// still owed), resolved (rejected: it was paid) when the invoice was settled.
    static func loadIBMSample(_ sample: IBMSample, path: String, into tenant: Tenant, database: CollectionsDatabase) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("collections-demo-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try sample.writeImportFiles(to: folder)
        let importer = Importer(database: database, tenant: tenant)
        for (kind, file) in [(ImportKind.clients, files.clients), (.invoices, files.invoices), (.payments, files.payments)] {
            let summary = try await importer.run(kind, path: file, options: ImportOptions(actor: "demo"))
            note("\(tenant.slug): imported \(summary.inserted) \(kind.rawValue) from \(path)")
        }
        let invoices = Invoices(database: database, tenant: tenant.id)
        var disputes = 0
        for invoice in sample.invoices where invoice.disputed && invoice.settled > invoice.issued {
            let opened = min(invoice.due, invoice.settled.adding(days: -1))
            _ = try await invoices.dispute(invoice.number, on: opened, reason: "disputed (IBM sample)", actor: "demo")
            _ = try await invoices.resolveDispute(invoice.number, on: invoice.settled, outcome: .rejected, resolution: "settled", actor: "demo")
            disputes += 1
        }
        note("\(tenant.slug): \(disputes) disputes opened and resolved")
    }

    /// ../shared/data next to the checkout the binary was built in, else next to the
    /// working directory.
    static func defaultSamplePath() -> String {
        let relative = "shared/data/ibm-accounts-receivable.csv"
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.deletingLastPathComponent().appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }

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
        try await reportingFailures(database, connections: 4) { db in
            let started = ContinuousClock.now
            let registry = TenantRegistry(database: db)
            try await db.requireCurrentSchema()

            let today = try await db.asRegistry { try await $0.query("SELECT current_date").scalar(CalendarDate.self)! }
            let lenders = [
                Lender(slug: "demo-lonestar-title", name: "Lone Star Title Loans", currency: "USD",
                       timeZone: "America/Chicago", lastDay: today.adding(days: -1)),
                Lender(slug: "demo-northern-cash", name: "Northern Cash Advance", currency: "CAD",
                       timeZone: "America/Toronto", lastDay: today.adding(days: -1)),
            ]
            // Each lender is reset and loaded concurrently with the others.
            let samplePath = ibmSample ?? Self.defaultSamplePath()
            let sample = try IBMSample(path: samplePath)
            let clients = self.clients
            let shown = try await withThrowingTaskGroup(of: (Int, Tenant, CalendarDate).self) { group in
                group.addTask {
                    let ibm = try await Self.reset(
                        Lender(slug: "demo-ibm", name: "IBM AR sample", currency: "USD", timeZone: "America/New_York",
                               lastDay: sample.lastDay), registry: registry)
                    try await Self.loadIBMSample(sample, path: samplePath, into: ibm, database: db)
                    return (0, ibm, sample.lastDay)
                }
                for (index, lender) in lenders.enumerated() {
                    group.addTask {
                        let tenant = try await Self.reset(lender, registry: registry)
                        let shape = DemoBook.Shape(
                            clients: clients, invoicesPerClient: 6, months: 12, lastDay: lender.lastDay,
                            otherCurrency: lender.currency == "USD" ? "MXN" : "USD", seed: index + 1)
                        let invoices = try await DemoBook.write(shape, into: tenant, database: db)
                        try await DemoBook.makeConsumerBook(shape, tenant: tenant, database: db)
                        let plans = try await DemoBook.makePlans(shape, tenant: tenant, database: db)
                        let disputes = try await DemoBook.makeDisputes(shape, tenant: tenant, database: db)
                        let agency = try await DemoBook.makeAgency(shape, tenant: tenant, database: db)
                        note("\(lender.slug): generated \(clients) borrowers and \(invoices) loans, with consents, holds, a consumer dunning policy, \(plans.plans) payment plans (\(plans.keptUp) kept up), \(disputes.opened) partial disputes (\(disputes.creditNotes) credited, \(disputes.writeOffs) written off, \(disputes.rejected) rejected) and \(agency.placements) accounts placed with \(agency.agency) (\(agency.remittances) remitting, \(agency.recalled) recalled)")
                        return (index + 1, tenant, lender.lastDay)
                    }
                }
                var loaded: [(Int, Tenant, CalendarDate)] = []
                for try await result in group { loaded.append(result) }
                return loaded.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
            }
            await db.analyze(["clients", "invoices", "invoice_charges", "payments", "payment_applications",
                              "write_offs", "disputes", "contact_notes", "idempotency_keys"])

            // The worker over the last days of each book, as its daily runs would have done.
            // The worker's own login when given (closed, awaited, before the reports).
            let days = self.days
            func runWorker(_ database: CollectionsDatabase) async throws {
                let worker = DailyWorker(database: database, logger: Logger(label: "demo", factory: { _ in SwiftLogNoOpLogHandler() }))
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
            }
            if let workerDatabaseURL {
                try await CollectionsDatabase(url: workerDatabaseURL, maxConnections: 4).closing(runWorker)
            } else {
                try await runWorker(db)
            }

            for (tenant, lastDay) in shown {
                printOut("\n== \(tenant.name) (\(tenant.slug)), as of \(lastDay) ==\n\nAgeing\n")
                printTable(ageingTable(try await StoredReports.ageing(database: db, tenant: tenant, asOf: lastDay)), format: .table)
                printOut("\nKPIs\n")
                printTable(kpiTable(try await StoredReports.kpis(database: db, tenant: tenant, asOf: lastDay)), format: .table)
                let plans = try await PaymentPlans(database: db, tenant: tenant).list(asOf: lastDay)
                if !plans.isEmpty {
                    let byStatus = Dictionary(grouping: plans, by: \.status.rawValue).sorted { $0.key < $1.key }
                        .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
                    printOut("\nPayment plans: \(plans.count) (\(byStatus))\n")
                    PlanCommand.printTable(Array(plans.prefix(6)))
                }
                let placements = try await Agencies(database: db, tenant: tenant.id).placements()
                if !placements.isEmpty {
                    printOut("\nAgency placements: \(placements.count) (\(placements.filter { $0.recalledOn != nil }.count) recalled)\n")
                    printTable(PlacementCommand.table(placements), format: .table)
                    printOut("\nAgency recovery\n")
                    printTable(AgencyReportCommand.table(try await Agencies(database: db, tenant: tenant.id).recovery(asOf: lastDay)),
                               format: .table)
                }
                let disputes = try await Invoices(database: db, tenant: tenant.id).disputeSummary(asOf: lastDay)
                if !disputes.isEmpty {
                    printOut("\nDisputes\n")
                    printTable(DisputeCommand.summaryTable(disputes), format: .table)
                }
                let worklist = try await Worklist(database: db, tenant: tenant.id).compute(asOf: lastDay, limit: 8)
                printOut("\nWorklist (top \(worklist.entries.count))\n")
                if worklist.entries.isEmpty { printOut("nobody to contact\n") } else { printTable(worklistTable(worklist), format: .table) }
                // The last day's run queued the next day's messages.
                let plan = try await DunningPlans(database: db, tenant: tenant).plan(on: lastDay.adding(days: 1))
                let byChannel = Dictionary(grouping: plan.messages, by: \.channel.rawValue).sorted { $0.key < $1.key }
                    .map { "\($0.value.count) by \($0.key)" }.joined(separator: ", ")
                let byRule = Dictionary(grouping: plan.suppressed, by: \.rule).sorted { $0.key < $1.key }
                    .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
                printOut("""

                    Dunning for \(plan.asOf) (policy version \(plan.policyVersion)): \(plan.messages.count) messages\(byChannel.isEmpty ? "" : " (\(byChannel))")
                    suppressed: \(plan.suppressed.count)\(byRule.isEmpty ? "" : " (\(byRule))")

                    """)
            }
            if let (ibm, _) = shown.first { try await Self.printAPIAccess(ibm, database: db) }
            let elapsed = ContinuousClock.now - started
            printOut("\ndemo done in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))); explore with: collections-admin report ageing|kpis|worklist|dunning-plan SLUG, tenant dunning SLUG show, tenant list\n")
        }
    }

}

/// Progress of the demo, on stderr so that stdout holds only the reports.
func note(_ text: String) {
    FileHandle.standardError.write(Data("demo: \(text)\n".utf8))
}
