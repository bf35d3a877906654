import ArgumentParser
import CollectionsCommandLine
import CollectionsSchema
import CollectionsService
import Foundation

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (embedded in this binary), each once, in order.",
        discussion: """
            Creates the roles collections_owner and collections_app if missing (needs a
            superuser, or CREATEROLE and ownership of the database). Each migration runs in one
            transaction with its bookkeeping row; concurrent runs wait for each other. A
            migration that was edited after it was applied, or an applied one this binary
            does not carry, stops the run before anything changes.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Flag(help: "List applied and pending migrations; change nothing.") var status = false
    @Flag(name: .customLong("dry-run"), help: "Print what would be applied; change nothing.") var dryRun = false

    func run() async throws {
        try await reportingFailures {
            let migrator = Migrator(configuration: try database.configuration())
            if status {
                let rows = try await migrator.status()
                return try emit(rows, format: output.format, table: {
                    Table(
                        headers: ["version", "name", "state", "applied_at", "ms", "checksum"],
                        rows: rows.map { [String($0.version), $0.name, $0.state.rawValue, isoTimestamp($0.appliedAt),
                                          $0.durationMs.map(String.init) ?? "", String($0.checksum.prefix(12))] },
                        numeric: [0, 4])
                })
            }
            let done = try await migrator.migrate(dryRun: dryRun) { message in
                FileHandle.standardError.write(Data("\(message)\n".utf8))
            }
            // Lines for a person, as each migration is applied; JSON for a program.
            if output.format == .json { return try printJSON(done) }
            if done.isEmpty {
                printOut("schema is up to date (\(Migration.all.count) migrations applied)\n")
            } else {
                for migration in done { printOut("\(dryRun ? "would apply" : "applied") \(migration.name)\n") }
            }
        }
    }
}
