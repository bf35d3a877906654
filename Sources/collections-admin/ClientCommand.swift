public import ArgumentParser
import CollectionsCommandLine
public import CollectionsService
import Foundation
import Postgres

extension ClientHold.Kind: ExpressibleByArgument {}
extension DunningChannel: ExpressibleByArgument {}

/// `client hold|consent`: the facts about a client the contact rules need and
/// the import files do not carry.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Record a client's holds and contact consents (the contact gate reads them).",
        subcommands: [HoldCommand.self, ConsentCommand.self])
}

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Holds stop every dunning message to a client while they run.",
        subcommands: [Place.self, End.self, List.self])

    static func print(_ holds: [ClientHold], format: OutputFormat) throws {
        let table = Table(
            headers: ["id", "client", "kind", "from", "until", "note", "by"],
            rows: holds.map {
                [$0.id.uuidString.lowercased(), $0.clientRef, $0.kind.rawValue, $0.startsOn.description,
                 $0.endsOn?.description ?? "", $0.note ?? "", $0.recordedBy]
            })
        try emit(holds, format: format, table: { table }, instead: holds.isEmpty ? "no holds\n" : nil)
    }

    struct Place: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a hold: cease_communication, attorney, bankruptcy, deceased or dispute_verification.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String
        @Option(help: "What the hold is.") var kind: ClientHold.Kind
        @Option(help: "The first day it applies (YYYY-MM-DD); default: the tenant's today.") var from: CalendarDate?
        @Option(help: "Why, in words.") var note: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let hold = try await ClientHolds(database: db, tenant: tenant.id).place(
                    clientRef: clientRef, kind: kind, startsOn: from, note: note, actor: adminActor())
                try HoldCommand.print([hold], format: options.format)
            }
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a running hold.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The hold's id.") var holdID: String
        @Option(help: "The first day it no longer applies (YYYY-MM-DD); default: the tenant's today.") var on: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let id = try typedID(holdID, "hold")
                let hold = try await ClientHolds(database: db, tenant: tenant.id).end(id, endsOn: on, actor: adminActor())
                try HoldCommand.print([hold], format: options.format)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A client's holds, newest first.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                try HoldCommand.print(try await ClientHolds(database: db, tenant: tenant.id).list(clientRef: clientRef),
                                      format: options.format)
            }
        }
    }
}

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Consents and opt-outs per channel: SMS needs a consent; the latest record decides.",
        subcommands: [Grant.self, Revoke.self, List.self])

    static func print(_ records: [ContactPermission], format: OutputFormat) throws {
        let table = Table(
            headers: ["client", "channel", "address", "granted", "source", "at"],
            rows: records.map {
                [$0.clientRef, $0.channel.rawValue, $0.address ?? "(all)", $0.granted ? "yes" : "no", $0.source,
                 isoTimestamp($0.recordedAt)]
            })
        try emit(records, format: format, table: { table }, instead: records.isEmpty ? "nothing recorded\n" : nil)
    }

    struct Change: ParsableArguments {
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String
        @Option(help: "email, sms, call or letter.") var channel: DunningChannel
        @Option(help: "The email address or phone number; default: all of the client's.") var address: String?
        @Option(help: "Where it came from (web form, signed agreement, phone call, ...).") var source: String

        func record(granted: Bool) async throws {
            try await options.withTenant { db, tenant in
                let record = try await ContactPermissions(database: db, tenant: tenant.id).record(
                    .init(channel: channel, address: address, granted: granted, source: source), clientRef: clientRef,
                    actor: adminActor())
                try ConsentCommand.print([record], format: options.format)
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the client agreed to a channel.")
        @OptionGroup var change: Change
        func run() async throws { try await change.record(granted: true) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the client withdrew a channel or opted out (at once).")
        @OptionGroup var change: Change
        func run() async throws { try await change.record(granted: false) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A client's consents and opt-outs, newest first.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                try ConsentCommand.print(
                    try await ContactPermissions(database: db, tenant: tenant.id).list(clientRef: clientRef),
                    format: options.format)
            }
        }
    }
}
