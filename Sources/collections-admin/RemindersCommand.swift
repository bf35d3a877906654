import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct RemindersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "The invoices the daily worker's dunning messages of a day are about, with where each goes.",
        discussion: """
            One row per invoice and channel of the messages the worker queued, on the days the
            steps of the tenant's dunning policy name from each due date (`tenant dunning SLUG
            show`), past the contact gate. `report dunning-plan` shows the messages grouped
            per client and what was suppressed, with the rule. The worker's run of a day queues
            the next day's messages: `collections-worker run --tenant SLUG --as-of DATE` queues
            those of DATE + 1.
            """)

    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

    func run() async throws {
        try await options.withTenant { db, tenant in
            let (date, reminders) = try await Reminders(database: db, tenant: tenant.id).scheduled(on: asOf)
            let table = Table(
                headers: ["client", "name", "invoice", "due", "when", "channel", "to", "balance"],
                rows: reminders.map {
                    [$0.clientRef, $0.clientName, $0.invoiceNumber, $0.dueOn.description, $0.timing, $0.channel,
                     $0.address ?? "", $0.balance.formatted]
                },
                numeric: [7])
            let none = "none queued (the run of the day before queues a day's messages: collections-worker run --tenant \(options.slug) --as-of \(date.adding(days: -1)))\n"
            try emit(reminders, format: options.format, table: { table },
                     before: "\(tenant.name) (\(tenant.slug)): reminders for \(date)\n\n",
                     instead: reminders.isEmpty ? none : nil)
        }
    }
}
