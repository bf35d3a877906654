import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Logging
import Postgres

@main
struct CollectionsWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collections-worker",
        abstract: "Refresh tenants' ageing and KPIs, accrue late fees and decide promises, day by day.",
        discussion: """
            A tenant's day (late fees, promise decisions, ageing and KPI snapshots) commits in
            one transaction with the row that marks it done, so a rerun or a run after a
            crash gives identical rows. Several workers can run at once: a day one of them
            is doing is skipped by the others.

            Exit codes: 0 every tenant day succeeded (or was skipped); 1 at least one tenant
            day failed (the others completed; see the log) or the run could not start;
            64 the command line was invalid.
            """,
        subcommands: [Run.self, Deliver.self, Serve.self]
    )

    static func main() async {
        await runCommandLine(Self.self, name: "collections-worker")
    }
}


struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daily job once: as of each tenant's local today, one date, or each day of a range.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("as-of"), help: "The day to compute (YYYY-MM-DD); default: each tenant's local today.")
    var asOf: CalendarDate?
    @Option(help: "First day of a backfill (YYYY-MM-DD), with --to.") var from: CalendarDate?
    @Option(help: "Last day of a backfill (YYYY-MM-DD), with --from.") var to: CalendarDate?
    @Option(help: "Only this tenant (slug).") var tenant: String?
    @Option(help: "Tenants worked on at once.") var jobs: Int = 2
    @Flag(help: "Recompute days already done (after back-dated facts were entered); by default they are skipped.")
    var recompute = false
    @OptionGroup var output: FormatOptions

    func validate() throws {
        if asOf != nil && (from != nil || to != nil) { throw ValidationError("give either --as-of or --from/--to, not both") }
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
        if let from, let to, to.days(since: from) > 3660 { throw ValidationError("--from..--to spans more than 10 years") }
        if !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() async throws {
        try await reportingFailures(database, connections: jobs + 1) { db in
            let logger = workerLogger()
            let dates: DailyWorker.Dates
            if let asOf { dates = .range(asOf, asOf) } else if let from, let to { dates = .range(from, to) } else { dates = .tenantToday }
            let summary = try await DailyWorker(database: db, logger: logger)
                .run(dates: dates, tenantSlug: tenant, jobs: jobs, onlyIfNotDone: !recompute)
            struct RunReport: Encodable {
                var runID: String
                var tenantDaysDone, tenantDaysSkipped, tenantDaysFailed: Int
                var failures: [String]
            }
            let report = RunReport(
                runID: summary.runID.uuidString.lowercased(), tenantDaysDone: summary.done,
                tenantDaysSkipped: summary.skipped, tenantDaysFailed: summary.failed, failures: summary.failures)
            try emit(report, format: output.format, table: {
                Table(headers: ["run", "done", "skipped", "failed"],
                      rows: [[report.runID, String(summary.done), String(summary.skipped), String(summary.failed)]],
                      numeric: [1, 2, 3])
            }, instead: "run \(report.runID): \(summary.done) tenant days done, \(summary.skipped) skipped, \(summary.failed) failed\n")
            for failure in summary.failures { FileHandle.standardError.write(Data("collections-worker: failed: \(failure)\n".utf8)) }
            if summary.failed > 0 { throw ExitCode(1) }
        }
    }
}

func workerLogger() -> Logger {
    var logger = Logger(label: "collections.worker")
    logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
    return logger
}
