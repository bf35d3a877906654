public import ArgumentParser
import CollectionsCommandLine
public import CollectionsService
import Foundation
import Postgres

extension DisputeReason: ExpressibleByArgument {}
extension DisputeOutcome: ExpressibleByArgument {}

/// `dispute open|resolve|list`: disputes of part or all of an invoice.
struct DisputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispute",
        abstract: "Disputes: part (or all) of an invoice held out of collection until resolved.",
        discussion: """
            While a dispute is open its amount is reported as disputed and left out of late fees,
            dunning and the worklist; the rest of the balance is collected as usual. Upheld, what it
            held and is still owed becomes a credit note (not bad debt) or a write-off; rejected,
            it is collectible again. Every open and resolution is audited.
            """,
        subcommands: [Open.self, Resolve.self, List.self, Summary.self])

    /// Per state, reason code and currency (the demo's printout too).
    static func summaryTable(_ rows: [DisputeSummary]) -> Table {
        Table(
            headers: ["state", "reason", "currency", "disputes", "disputed"],
            rows: rows.map {
                [$0.state, $0.reasonCode.rawValue, $0.currency, String($0.count),
                 Money(amountMinor: $0.disputedMinor, currency: $0.currency).formatted]
            })
    }

    static func print(_ disputes: [Dispute], format: OutputFormat) throws {
        let table = Table(
            headers: ["id", "invoice", "opened", "reason", "amount", "resolved", "outcome", "resolution"],
            rows: disputes.map {
                [$0.id.uuidString.lowercased(), $0.invoiceNumber, $0.openedOn.description,
                 "\($0.reasonCode.rawValue): \($0.reason)", $0.amount.formatted, $0.resolvedOn?.description ?? "",
                 $0.outcome?.rawValue ?? "", $0.resolution ?? ""]
            })
        try emit(disputes, format: format, table: { table }, instead: disputes.isEmpty ? "no disputes\n" : nil)
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a dispute of part (--amount) or all of an invoice's balance.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The invoice number.") var invoice: String
        @Option(help: "The day it was raised (YYYY-MM-DD).") var on: CalendarDate
        @Option(name: .customLong("reason-code"), help: "\(DisputeReason.list); default other.") var reasonCode: DisputeReason = .other
        @Option(help: "What the client says, in words.") var reason: String
        @Option(help: "The amount disputed, in the invoice's currency (e.g. 300.00); default: all it owes then.") var amount: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let invoices = Invoices(database: db, tenant: tenant.id)
                let currency = try await invoices.get(invoice).invoice.currency
                let dispute = try await invoices.dispute(
                    invoice, on: on, reasonCode: reasonCode, amount: try amount.map { try Money(parsing: $0, currency: currency) },
                    reason: reason, actor: adminActor())
                try DisputeCommand.print([dispute], format: options.format)
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve an invoice's open dispute: credit_note or write_off (upheld), or rejected.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The invoice number.") var invoice: String
        @Option(help: "The day it was resolved (YYYY-MM-DD).") var on: CalendarDate
        @Option(help: "\(DisputeOutcome.list).") var outcome: DisputeOutcome
        @Option(help: "What was decided, in words.") var resolution: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                let dispute = try await Invoices(database: db, tenant: tenant.id).resolveDispute(
                    invoice, on: on, outcome: outcome, resolution: resolution, actor: adminActor())
                try DisputeCommand.print([dispute], format: options.format)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An invoice's disputes, oldest first.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The invoice number.") var invoice: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                try DisputeCommand.print(try await Invoices(database: db, tenant: tenant.id).disputes(invoice), format: options.format)
            }
        }
    }

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The disputes opened by a day, per state (open or how they ended), reason code and currency.")
        @OptionGroup var options: TenantOptions
        @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let rows = try await Invoices(database: db, tenant: tenant.id).disputeSummary(asOf: asOf)
                try emit(rows, format: options.format, table: { DisputeCommand.summaryTable(rows) },
                         instead: rows.isEmpty ? "no disputes\n" : nil)
            }
        }
    }
}
