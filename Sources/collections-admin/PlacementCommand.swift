import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// `placement create|list|recall|remit`: a client's balance or some of its
/// invoices placed with an agency, and the payments the agency reports.
struct PlacementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Place accounts with an agency, list and recall them, record what the agency collected.",
        subcommands: [Create.self, List.self, Recall.self, Remit.self])

    static func table(_ placements: [Placement]) -> Table {
        Table(
            headers: ["id", "client_ref", "agency", "placed", "invoices", "placed_on", "recalled_on", "collected",
                      "commission"],
            rows: placements.map {
                [$0.id.uuidString.lowercased(), $0.clientRef, $0.agency,
                 Self.totals($0.invoices.map(\.placed)), $0.invoices.map(\.number).joined(separator: ","),
                 $0.placedOn.description, $0.recalledOn?.description ?? "",
                 Self.totals($0.collected), Self.totals($0.commission)]
            })
    }

    /// Amounts summed per currency, in the currency's decimals.
    static func totals(_ amounts: [Money]) -> String {
        var sums: [String: Int64] = [:]
        for amount in amounts { sums[amount.currency, default: 0] += amount.amountMinor }
        return sums.keys.sorted().map { Money(amountMinor: sums[$0]!, currency: $0).formatted }.joined(separator: " ")
    }

    /// The placement id as typed; a malformed one is as missing as an unknown one.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a client's balance (or the invoices named) with an agency; refused for paid, disputed or placed invoices.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String
        @Option(help: "The agency's name.") var agency: String
        @Option(help: "Only these invoices, comma-separated numbers; default: every invoice the client owes on.")
        var invoices: String?
        @Option(help: "The day of the placement (YYYY-MM-DD); default: the tenant's today.") var on: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let numbers = invoices.map {
                    $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
                let placement = try await Agencies(database: db, tenant: tenant.id).place(
                    clientRef: clientRef, agency: agency, invoiceNumbers: numbers, on: on, actor: adminActor())
                try emit(placement, format: options.format, table: { PlacementCommand.table([placement]) })
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's placements, newest first, with what each collected.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { db, tenant in
                let placements = try await Agencies(database: db, tenant: tenant.id).placements()
                try emit(placements, format: options.format, table: { PlacementCommand.table(placements) },
                         instead: placements.isEmpty ? "no placements\n" : nil)
            }
        }
    }

    struct Recall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return a placed account to the lender; the agency sees nothing of it from now on.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The placement's id.") var placementID: String
        @Option(help: "The day of the recall (YYYY-MM-DD); default: the tenant's today.") var on: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let placement = try await Agencies(database: db, tenant: tenant.id).recall(
                    try typedID(placementID, "placement"), on: on, actor: adminActor())
                try emit(placement, format: options.format, table: { PlacementCommand.table([placement]) })
            }
        }
    }

    struct Remit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post a payment the agency collected on a placement, with its commission (half-even).")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The placement's id.") var placementID: String
        @Option(help: "The payment's reference, unique in the tenant.") var reference: String
        @Option(help: "The amount in major units, e.g. 120.50.") var amount: String
        @Option(help: "Its currency (ISO 4217).") var currency: String
        @Option(name: .customLong("received-on"), help: "The day it was received (YYYY-MM-DD).") var receivedOn: CalendarDate

        func run() async throws {
            try await options.withTenant { db, tenant in
                let remittance = try await Agencies(database: db, tenant: tenant.id).remit(
                    placement: try typedID(placementID, "placement"), reference: reference,
                    amount: try Money(parsing: amount, currency: currency.uppercased()), receivedOn: receivedOn,
                    actor: adminActor())
                try emit(remittance, format: options.format, table: {
                    Table(headers: ["placement_id", "agency", "reference", "amount", "commission_bp", "commission"],
                          rows: [[remittance.placementID.uuidString.lowercased(), remittance.agency,
                                  remittance.payment.payment.reference, remittance.payment.payment.amount.formatted,
                                  String(remittance.commissionBP), remittance.commission.formatted]])
                })
            }
        }
    }
}
