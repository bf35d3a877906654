import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

struct ApiKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Issue, list and revoke a tenant's API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func table(_ keys: [ApiKey]) -> Table {
        Table(
            headers: ["key_id", "label", "created_at", "last_used_at", "revoked_at"],
            rows: keys.map { [$0.prefix, $0.label ?? "", isoTimestamp($0.createdAt), isoTimestamp($0.lastUsedAt), isoTimestamp($0.revokedAt)] })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a key. The secret is printed once and never stored: only its SHA-256 is.")
        @OptionGroup var options: TenantOptions
        @Option(help: "What the key is for (at most 200 characters).") var label: String?

        func run() async throws {
            try await options.withDatabase { db in
                let issued = try await ApiKeys(database: db).create(tenantSlug: options.slug, label: label, actor: adminActor())
                try emit(issued, format: options.format, table: { ApiKeyCommand.table([issued.key]) },
                         after: "\nsecret (shown once, store it now):\n\(issued.secret)\n")
                // A spreadsheet gets the secret as a last line too: it is shown once.
                if options.format == .csv { printOut("\nsecret (shown once, store it now):\n\(issued.secret)\n") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (never the secrets).")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withDatabase { db in
                let keys = try await ApiKeys(database: db).list(tenantSlug: options.slug)
                try emit(keys, format: options.format, table: { ApiKeyCommand.table(keys) })
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The key id shown by 'api-key list' (its prefix), or its UUID.") var keyID: String

        func run() async throws {
            try await options.withDatabase { db in
                let key = try await ApiKeys(database: db).revoke(tenantSlug: options.slug, keyID: keyID, actor: adminActor())
                try emit(key, format: options.format, table: { ApiKeyCommand.table([key]) })
            }
        }
    }
}
