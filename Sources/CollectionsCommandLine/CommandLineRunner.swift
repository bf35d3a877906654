public import ArgumentParser
public import CollectionsService
import Foundation

/// Runs a command body; any failure becomes one line on stderr and exit code 1.
public func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        // One line, and nothing a terminal would act on: messages quote values as
        // they were given (a date field holding an escape sequence).
        let line = ControlCharacters.escaped(
            "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
        FileHandle.standardError.write(Data("\(CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "collections"): error: \(line)\n".utf8))
        throw ExitCode(1)
    }
}

/// Runs a command body with a database opened from `options`, closed (awaited,
/// not left to a detached task) before the command returns; failures as above.
public func reportingFailures(
    _ options: DatabaseOptions, connections: Int = 4, _ body: (CollectionsDatabase) async throws -> Void
) async throws {
    try await reportingFailures { try await options.database(connections: connections).closing(body) }
}

/// Parses and runs a command tree. Help goes to stdout with exit 0; a usage error is
/// printed as one line, `NAME: error: ...`, with exit code 64.
public func runCommandLine<Root: AsyncParsableCommand>(_ root: Root.Type, name: String) async {
    do {
        var command = try Root.parseAsRoot()
        if var async = command as? any AsyncParsableCommand {
            try await async.run()
        } else {
            try command.run()
        }
    } catch {
        let code = Root.exitCode(for: error)
        let message = Root.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            exit(0)
        }
        // Our own failures have already printed their line and carry only a code.
        if !(error is ExitCode), !message.isEmpty {
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            let text = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
            FileHandle.standardError.write(Data("\(name): error: \(ControlCharacters.escaped(text))\n".utf8))
        }
        exit(code.rawValue)
    }
}
