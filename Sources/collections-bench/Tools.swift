import Foundation
import Postgres
import Synchronization

/// PostgreSQL's own clients, the baselines.
struct Tools: Sendable {
    let pgbench: String?
    let psql: String?

    static func locate(needPgbench: Bool, needPsql: Bool) throws -> Tools {
        let pgbench = needPgbench ? try find("pgbench") : nil
        let psql = needPsql ? try find("psql") : nil
        return Tools(pgbench: pgbench, psql: psql)
    }

    /// On PATH first, then the server's own bin folders (pgbench ships with the server package).
    private static func find(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var candidates = path.split(separator: ":").map { "\($0)/\(name)" }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin/\(name)")
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError("\(name) not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql-client postgresql)")
        }
        return found
    }

    /// libpq's environment variables for the parameters the URL gave. They override
    /// inherited ones, as the URL would in a connection string.
    static func environment(for configuration: ConnectionConfiguration) -> [String: String] {
        let variables = [
            "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
            "user": "PGUSER", "password": "PGPASSWORD", "passfile": "PGPASSFILE", "options": "PGOPTIONS",
            "application_name": "PGAPPNAME", "sslmode": "PGSSLMODE", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
            "sslrootcert": "PGSSLROOTCERT", "sslcrl": "PGSSLCRL", "sslcompression": "PGSSLCOMPRESSION",
            "requiressl": "PGREQUIRESSL", "gssencmode": "PGGSSENCMODE", "krbsrvname": "PGKRBSRVNAME",
            "connect_timeout": "PGCONNECT_TIMEOUT", "client_encoding": "PGCLIENTENCODING",
            "target_session_attrs": "PGTARGETSESSIONATTRS", "service": "PGSERVICE", "channel_binding": "PGCHANNELBINDING",
        ]
        var environment = ProcessInfo.processInfo.environment
        for (keyword, variable) in variables {
            if let value = configuration[keyword] { environment[variable] = value }
        }
        return environment
    }
}

/// The outcome of a finished child process.
struct ToolOutput: Sendable {
    let status: Int32
    /// Ended by a signal; `status` is then the signal's number.
    let killed: Bool
    let stdout: String
    let stderr: String
    let seconds: Double

    var succeeded: Bool { !killed && status == 0 }

    /// "exit 2" or "killed by signal 9", and the last lines it printed.
    var failure: String {
        let how = killed ? "killed by signal \(status)" : "exit \(status)"
        let last = (stderr + stdout).split(whereSeparator: \.isNewline).suffix(3).joined(separator: "; ")
        return last.isEmpty ? how : "\(how): \(last)"
    }
}

enum ChildProcess {
    private static let running = Mutex<Set<pid_t>>([])

    /// Ends the children still running (an interrupted benchmark leaves no pgbench behind).
    static func terminateAll() {
        running.withLock { pids in for pid in pids { kill(pid, SIGTERM) } }
    }

    /// Runs a program to completion on a thread of its own (it blocks for the whole
    /// run) and returns its output and wall-clock time, process start included.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> ToolOutput {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ToolOutput, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, environment: environment) })
            }
            thread.start()
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> ToolOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        // The child inherits this thread's signal mask, and a thread started from
        // Swift's concurrency pool has almost every signal blocked: pgbench would
        // then never see the SIGALRM that ends `-T`, nor a SIGTERM. Spawn with none blocked.
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        do {
            try process.run()
        } catch {
            throw BenchError("could not start \(executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }
        // Drain stderr beside stdout so a chatty child never blocks on a full pipe.
        let errorBox = DataBox()
        let errorReader = Thread { errorBox.data = err.fileHandleForReading.readDataToEndOfFile(); errorBox.done.signal() }
        errorReader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        errorBox.done.wait()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        return ToolOutput(
            status: process.terminationStatus,
            killed: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self),
            seconds: elapsed.seconds)
    }

    private final class DataBox: @unchecked Sendable {
        // Safe: written by the reader thread before `done` is signalled, read after waiting on it.
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}

/// A private temporary folder for the pgbench script and the CSV file, removed at the end.
struct WorkDirectory: Sendable {
    let path: String

    init(parent: String?) throws {
        let base = parent ?? NSTemporaryDirectory()
        let template = (base as NSString).appendingPathComponent("collections-bench.XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw BenchError("cannot create a temporary folder in \(base): \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
