import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "A day's outbox: queued, sent, failed and suppressed messages, with reasons.",
        discussion: """
            Each message of the day (one per client, channel and day) with its state: queued (with
            its attempts and next try), sent, failed (smtp_rejected, sms_rejected,
            retries_exhausted, contact_hours_ended, ...), suppressed at send time (the contact
            gate's rules, checked again), or a task (letters and calls); then every invoice line
            the day's gate suppressed, with its rule and reason.
            """)

    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

    func run() async throws {
        try await options.withTenant { db, tenant in
            let report = try await DeliveryReport.make(database: db, tenant: tenant, on: asOf)
            let rows = report.messages.map {
                [$0.clientRef, $0.channel, $0.step, $0.status, String($0.attempts),
                 $0.sentAt.map(isoTimestamp) ?? $0.nextAttemptAt.map { "next \(isoTimestamp($0))" } ?? "",
                 [$0.rule, $0.reason ?? $0.lastError, $0.receipt.map { "receipt: \($0)" }].compactMap { $0 }
                    .joined(separator: ": ")]
            } + report.suppressed.map {
                [$0.clientRef, $0.channel, $0.step, "suppressed (\($0.invoiceNumber))", "0", "", "\($0.rule): \($0.reason)"]
            }
            let table = Table(headers: ["client", "channel", "step", "status", "attempts", "when", "why"], rows: rows,
                              numeric: [4])
            let c = report.counts
            try emit(report, format: options.format, table: { table },
                     before: "\(tenant.name) (\(tenant.slug)): deliveries of \(report.asOf)\nqueued \(c.queued), sent \(c.sent), failed \(c.failed), suppressed \(c.suppressed), tasks \(c.tasks)\n\n",
                     instead: rows.isEmpty ? "nothing queued, sent or suppressed on \(report.asOf)\n" : nil)
        }
    }
}
