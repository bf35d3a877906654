import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// `collector create|list|move|assign`: the people who work a tenant's accounts,
/// their teams, and the clients assigned to them (issue 16, item 4).
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Manage a tenant's collectors and assign clients to them.",
        subcommands: [Create.self, List.self, Move.self, Assign.self])

    static func table(_ collectors: [Collector]) -> Table {
        Table(headers: ["handle", "name", "team", "archived_on"],
              rows: collectors.map { [$0.handle, $0.displayName, $0.team ?? "", $0.archivedOn.map { "\($0)" } ?? ""] })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a collector, known by the handle notes and assignments use.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The collector's handle (an email address or a login), unique in the tenant.") var handle: String
        @Option(help: "The collector's name as people read it; default: the handle.") var name: String?
        @Option(help: "The team the collector joins.") var team: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let collector = try await Collectors(database: db, tenant: tenant.id).create(
                    handle: handle, displayName: name, team: team, actor: adminActor())
                try emit(collector, format: options.format, table: { CollectorCommand.table([collector]) })
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's collectors with their teams.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { db, tenant in
                let collectors = try await Collectors(database: db, tenant: tenant.id).list()
                try emit(collectors, format: options.format, table: { CollectorCommand.table(collectors) },
                         instead: collectors.isEmpty ? "no collectors\n" : nil)
            }
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a collector to a team (or out of any with --no-team).")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The collector's handle.") var handle: String
        @Option(help: "The team to move the collector to.") var team: String?
        @Flag(name: .customLong("no-team"), help: "Take the collector out of any team.") var noTeam = false

        func validate() throws {
            guard (team == nil) != noTeam else { throw ValidationError("give either --team NAME or --no-team") }
        }

        func run() async throws {
            try await options.withTenant { db, tenant in
                let collector = try await Collectors(database: db, tenant: tenant.id).move(
                    handle, toTeam: team, actor: adminActor())
                try emit(collector, format: options.format, table: { CollectorCommand.table([collector]) })
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign clients to a collector: all of those named, or none when one is unknown.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The collector's handle.") var handle: String
        @Argument(help: "The clients' refs (one or more; commas separate them too).") var clientRefs: [String]

        func validate() throws {
            guard !clientRefs.isEmpty else { throw ValidationError("name at least one client ref") }
        }

        func run() async throws {
            let refs = clientRefs.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty }
            try await options.withTenant { db, tenant in
                let assigned = try await Collectors(database: db, tenant: tenant.id).assign(
                    clientRefs: refs, to: handle, actor: adminActor())
                try emit(Assigned(collector: handle, clients: assigned), format: options.format, table: {
                    Table(headers: ["client", "collector"], rows: assigned.map { [$0, handle] })
                })
            }
        }

        /// The JSON shape: the collector and the refs assigned to them.
        struct Assigned: Encodable {
            let collector: String
            let clients: [String]
        }
    }
}
