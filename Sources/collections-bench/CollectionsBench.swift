import ArgumentParser
import Foundation
import Postgres

/// Measures our Postgres layer against PostgreSQL's own clients on the same server,
/// in one run: single-row INSERTs against `pgbench -M prepared`, and COPY against
/// `psql \copy`. Prints our figure, the baseline's and the ratio.
///
/// A missed target is a result, not a failure: the exit status is non-zero only
/// when something could not be measured.
@main
struct CollectionsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collections-bench",
        abstract: "Compare the Postgres layer's INSERT and COPY throughput with pgbench and psql.",
        discussion: """
            Creates the database collections_bench on the server (dropped at the end), \
            runs the baseline and our layer alternately, and reports medians. \
            The role in the URL needs CREATEDB (CHECKPOINT between runs is used when allowed). \
            `collections-bench service` is the in-process side of deploy/bench/http.sh.
            """,
        subcommands: [ServiceBenchmark.self])

    @Option(name: .customLong("database-url"), help: "Server to measure (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Concurrent clients for the INSERT benchmark.")
    var clients = 4

    @Option(help: "Duration of each INSERT run, in seconds.")
    var seconds = 10

    @Option(name: .customLong("copy-rows"), help: "Rows in the COPY benchmark's CSV file.")
    var copyRows = 1_000_000

    @Option(help: "Runs of each side (medians are reported).")
    var runs = 3

    @Option(help: "Which benchmarks to run: all, insert or copy.")
    var only: Selection = .all

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("bench-database"), help: "Name of the scratch database created and dropped.")
    var benchDatabase = "collections_bench"

    @Option(name: .customLong("work-dir"), help: "Where the pgbench script and the CSV file are written (default: the temp dir).")
    var workDirectory: String?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    enum Selection: String, ExpressibleByArgument, CaseIterable { case all, insert, copy }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard clients >= 1, clients <= 256 else { throw ValidationError("--clients must be between 1 and 256") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be at least 1") }
        guard copyRows >= 1 else { throw ValidationError("--copy-rows must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        // It is dropped without asking: the name must say it is a benchmark's.
        guard benchDatabase.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil,
              benchDatabase.contains("bench") else {
            throw ValidationError("--bench-database must be a plain lower-case identifier containing \"bench\" (it is dropped)")
        }
    }

    func run() async throws {
        do {
            let report = try await measure()
            switch format {
            case .text: print(report.text())
            case .json: print(try report.json())
            }
        } catch {
            let line = Self.oneLine(error)
            FileHandle.standardError.write(Data("collections-bench: \(line)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func measure() async throws -> Report {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw BenchError("no server: pass --database-url or set DATABASE_URL")
        }
        let log = Progress(enabled: !quiet)
        let admin = try ConnectionConfiguration(url)
        let tools = try Tools.locate(needPgbench: only != .copy, needPsql: only != .insert)
        let work = try WorkDirectory(parent: workDirectory)
        defer { work.remove() }
        // Interrupted, the CSV file would stay behind; the database is dropped by the next run.
        let interrupt = Interruption(cleanup: work.remove)
        defer { interrupt.cancel() }

        let database = try await BenchDatabase.create(named: benchDatabase, admin: admin, log: log)
        do {
            var report = Report(machine: try await database.machine())
            log("machine: \(report.machine.line)")
            if only != .copy {
                let insert = InsertBenchmark(
                    database: database, tools: tools, work: work, clients: clients, seconds: seconds, runs: runs, log: log)
                report.insert = try await insert.run()
            }
            if only != .insert {
                let copy = CopyBenchmark(database: database, tools: tools, work: work, rows: copyRows, runs: runs, log: log)
                report.copy = try await copy.run()
            }
            report.peakResidentBytes = Machine.peakResidentBytes()
            await database.drop()
            return report
        } catch {
            await database.drop()
            throw error
        }
    }

    /// Errors end on one line of stderr: libpq's messages span several.
    static func oneLine(_ error: any Error) -> String {
        let text: String
        if let error = error as? PostgresError {
            text = error.description
        } else if let error = error as? BenchError {
            text = error.message
        } else {
            text = String(describing: error)
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}

/// A failure of the benchmark itself, with a message meant for the operator.
struct BenchError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Progress lines on stderr, so stdout carries only the report.
struct Progress: Sendable {
    let enabled: Bool
    func callAsFunction(_ line: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("bench: \(line)\n".utf8))
    }
}

/// On SIGINT or SIGTERM: removes the work files and exits 130 (the children, in
/// the same process group, get the terminal's signal themselves).
final class Interruption {
    private let sources: [any DispatchSourceSignal]

    init(cleanup: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ChildProcess.terminateAll()
                cleanup()
                FileHandle.standardError.write(Data("collections-bench: interrupted\n".utf8))
                exit(130)
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
