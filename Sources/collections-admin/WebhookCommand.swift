import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// `webhook create|list|disable|enable|replay`: a lender's webhook endpoints
/// (the sender is the worker's; DESIGN.md "Deliveries and webhooks").
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Manage a tenant's webhook endpoints (Standard Webhooks, signed with a secret shown once).",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, Replay.self])

    static func table(_ endpoints: [WebhookEndpoint]) -> Table {
        Table(
            headers: ["id", "url", "events", "status", "disabled_at", "disabled_reason", "created_at"],
            rows: endpoints.map {
                [$0.id.uuidString.lowercased(), $0.url,
                 $0.eventTypes.isEmpty ? "all" : $0.eventTypes.map(\.rawValue).joined(separator: ","),
                 $0.status.rawValue, isoTimestamp($0.disabledAt), $0.disabledReason ?? "", isoTimestamp($0.createdAt)]
            })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an endpoint. Its signing secret is printed once: store it now.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "Where to POST the events: an http:// or https:// URL.") var url: String
        @Option(help: """
            The event types to send, comma-separated (\(WebhookEventType.allCases.map { $0.rawValue }.joined(separator: ", "))); \
            default: all, those added later included.
            """) var events: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                var types: [WebhookEventType] = []
                for name in (events ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
                where !name.isEmpty {
                    guard let type = WebhookEventType(rawValue: name) else {
                        throw ServiceError(.invalid, "unknown event type \(name); known: \(WebhookEventType.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    types.append(type)
                }
                let created = try await WebhookEndpoints(database: db, tenant: tenant.id).create(
                    url: url, eventTypes: types, actor: adminActor())
                let shown = "\nsecret (shown once, store it now):\n\(created.secret)\n"
                try emit(created, format: options.format, table: { WebhookCommand.table([created.endpoint]) }, after: shown)
                if options.format == .csv { printOut(shown) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's endpoints (never their secrets).")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { db, tenant in
                let endpoints = try await WebhookEndpoints(database: db, tenant: tenant.id).list()
                try emit(endpoints, format: options.format, table: { WebhookCommand.table(endpoints) },
                         instead: endpoints.isEmpty ? "no webhook endpoints\n" : nil)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop sending to an endpoint; what it misses meanwhile can be replayed.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The endpoint's id.") var endpointID: String
        @Option(help: "Why, in words.") var reason: String = "disabled by the lender"

        func run() async throws {
            try await options.withTenant { db, tenant in
                let endpoint = try await WebhookEndpoints(database: db, tenant: tenant.id).disable(
                    try typedID(endpointID, "webhook endpoint"), reason: reason, actor: adminActor())
                try emit(endpoint, format: options.format, table: { WebhookCommand.table([endpoint]) })
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send to an endpoint again, from now on ('webhook replay' sends what it missed).")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The endpoint's id.") var endpointID: String

        func run() async throws {
            try await options.withTenant { db, tenant in
                let endpoint = try await WebhookEndpoints(database: db, tenant: tenant.id).enable(
                    try typedID(endpointID, "webhook endpoint"), actor: adminActor())
                try emit(endpoint, format: options.format, table: { WebhookCommand.table([endpoint]) })
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an endpoint's failed deliveries again (and enable it); the worker sends them.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The endpoint's id.") var endpointID: String
        @Option(help: "Only events since this day (YYYY-MM-DD, from its midnight in the tenant's time zone); default: all.")
        var since: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let id = try typedID(endpointID, "webhook endpoint")
                let queued = try await WebhookEndpoints(database: db, tenant: tenant.id).replay(
                    id, since: since.map { Self.midnight($0, in: tenant.timeZone) }, actor: adminActor())
                let summary = Replayed(endpointID: id, since: since, queued: queued)
                try emit(summary, format: options.format,
                         table: { Table(headers: ["endpoint_id", "since", "queued"],
                                        rows: [[id.uuidString.lowercased(), since?.description ?? "", String(queued)]]) })
            }
        }

        /// What a replay printed.
        struct Replayed: Encodable {
            let endpointID: UUID
            let since: CalendarDate?
            let queued: Int
        }

        /// The day's first instant on the tenant's wall clock.
        static func midnight(_ day: CalendarDate, in zone: String) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
            return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? Date.distantPast
        }
    }
}
