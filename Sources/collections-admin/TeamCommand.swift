import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

/// `team create|list`: a tenant's teams of collectors (`collector create --team`
/// and `collector move` put collectors in them; `report worklist --team` lists
/// their clients).
struct TeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Manage a tenant's teams of collectors.",
        subcommands: [Create.self, List.self])

    static func table(_ teams: [CollectorTeam]) -> Table {
        Table(headers: ["team", "collectors"], rows: teams.map { [$0.name, $0.collectors.joined(separator: ", ")] })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a team of collectors.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The team's name, unique in the tenant.") var name: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                let team = try await Collectors(database: db, tenant: tenant.id).createTeam(name: name, actor: adminActor())
                try emit(team, format: options.format, table: { TeamCommand.table([team]) })
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's teams and their collectors.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { db, tenant in
                let teams = try await Collectors(database: db, tenant: tenant.id).teams()
                try emit(teams, format: options.format, table: { TeamCommand.table(teams) },
                         instead: teams.isEmpty ? "no teams\n" : nil)
            }
        }
    }
}
