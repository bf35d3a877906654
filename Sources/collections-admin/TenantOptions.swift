import ArgumentParser
import CollectionsCommandLine
import CollectionsService

/// What every command about one tenant takes, in this order: where the database
/// is, the output format and the tenant's slug. One option group, so the
/// commands cannot come to spell them differently.
struct TenantOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Argument(help: "The tenant's slug.") var slug: String

    var format: OutputFormat { output.format }

    /// Runs `body` with the database open; a failure is one line (`reportingFailures`).
    func withDatabase(_ body: (CollectionsDatabase) async throws -> Void) async throws {
        try await reportingFailures(database, body)
    }

    /// Runs `body` with the database open and the tenant the slug names.
    func withTenant(_ body: (CollectionsDatabase, Tenant) async throws -> Void) async throws {
        try await withDatabase { db in try await body(db, try await TenantRegistry(database: db).find(slug)) }
    }
}
