public import Foundation
import Postgres

/// Runs one of the package's executables, built next to the test bundle, the way
/// an operator would, and captures what it printed.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Executable {
    public static func url(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `name` with `arguments` and an environment where DATABASE_URL is `databaseURL`.
    public static func run(_ name: String, _ arguments: [String], databaseURL: String?, stdin: String? = nil) async throws -> CommandResult {
        let process = Process()
        process.executableURL = url(name)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Reading a pipe and waiting for a process block: they get threads of their
        // own, never Swift's cooperative pool (two threads here), which every other
        // test in the process needs meanwhile.
        async let stdoutData = readToEnd(out.fileHandleForReading)
        async let stderrData = readToEnd(err.fileHandleForReading)
        let (o, e) = await (stdoutData, stderrData)
        await waitForExit(process)
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// Waits for a process to end, on a thread of its own.
public func waitForExit(_ process: Process) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let waiter = Thread {
            process.waitUntilExit()
            continuation.resume()
        }
        waiter.start()
    }
}

/// Everything a file handle yields until end of file, read on a thread of its own.
public func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        let reader = Thread { continuation.resume(returning: handle.readDataToEndOfFile()) }
        reader.start()
    }
}

extension TestDatabase {
    /// This database as the test server's superuser, as a libpq keyword/value
    /// string for a command line.
    public var url: String { configuration.connectionString }
}
