import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

/// `agency create|list|key`: the collections agencies a tenant places accounts with
/// (DESIGN.md "Payment plans and agencies").
struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency",
        abstract: "Manage a tenant's collections agencies and their commission.",
        subcommands: [Create.self, List.self, Key.self])

    static func table(_ agencies: [Agency]) -> Table {
        Table(headers: ["id", "name", "commission_bp"],
              rows: agencies.map { [$0.id.uuidString.lowercased(), $0.name, String($0.commissionBP)] })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agency with its commission in basis points.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The agency's name, unique in the tenant.") var name: String
        @Option(name: .customLong("commission-bp"), help: "Its commission on what it collects, 0 to 10000 basis points (1500 = 15%).")
        var commissionBP: Int

        func run() async throws {
            try await options.withTenant { db, tenant in
                let agency = try await Agencies(database: db, tenant: tenant.id).create(
                    name: name, commissionBP: commissionBP, actor: adminActor())
                try emit(agency, format: options.format, table: { AgencyCommand.table([agency]) })
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's agencies.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { db, tenant in
                let agencies = try await Agencies(database: db, tenant: tenant.id).list()
                try emit(agencies, format: options.format, table: { AgencyCommand.table(agencies) },
                         instead: agencies.isEmpty ? "no agencies\n" : nil)
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API key for an agency: it sees and writes only the accounts placed with it. The secret is printed once.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The agency's name.") var name: String
        @Option(help: "What the key is for (at most 200 characters).") var label: String?

        func run() async throws {
            try await options.withDatabase { db in
                let issued = try await ApiKeys(database: db).create(
                    tenantSlug: options.slug, label: label, agency: name, actor: adminActor())
                try emit(issued, format: options.format, table: { ApiKeyCommand.table([issued.key]) },
                         after: "\nsecret (shown once, store it now):\n\(issued.secret)\n")
                if options.format == .csv { printOut("\nsecret (shown once, store it now):\n\(issued.secret)\n") }
            }
        }
    }
}
