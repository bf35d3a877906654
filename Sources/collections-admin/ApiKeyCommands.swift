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
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The tenant's slug.") var slug: String
        @Option(help: "What the key is for (at most 200 characters).") var label: String?

        func run() async throws {
            try await reportingFailures(database) { db in
                let issued = try await ApiKeys(database: db).create(tenantSlug: slug, label: label, actor: adminActor())
                try emit(issued, format: output.format, table: { ApiKeyCommand.table([issued.key]) },
                         after: "\nsecret (shown once, store it now):\n\(issued.secret)\n")
                // A spreadsheet gets the secret as a last line too: it is shown once.
                if output.format == .csv { printOut("\nsecret (shown once, store it now):\n\(issued.secret)\n") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (never the secrets).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The tenant's slug.") var slug: String

        func run() async throws {
            try await reportingFailures(database) { db in
                let keys = try await ApiKeys(database: db).list(tenantSlug: slug)
                try emit(keys, format: output.format, table: { ApiKeyCommand.table(keys) })
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The tenant's slug.") var slug: String
        @Argument(help: "The key id shown by 'api-key list' (its prefix), or its UUID.") var keyID: String

        func run() async throws {
            try await reportingFailures(database) { db in
                let key = try await ApiKeys(database: db).revoke(tenantSlug: slug, keyID: keyID, actor: adminActor())
                try emit(key, format: output.format, table: { ApiKeyCommand.table([key]) })
            }
        }
    }
}
