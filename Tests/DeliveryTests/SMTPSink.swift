import Foundation
import TestSupport

/// A real SMTP server on loopback for a test: deploy/local/smtp-sink.py (aiosmtpd),
/// logging every message it accepts, and answering 451 or 550 to the recipients
/// that ask for it (`tempfail-N-...`, `reject-...`).
final class SMTPSink: Sendable {
    let process: Process
    let port: Int
    let log: URL
    var url: String { "smtp://127.0.0.1:\(port)" }

    struct Message: Decodable {
        var message_id: String
        var to: [String]
        var mail_from: String
        var data: String
    }

    /// The interpreter itself, not a shim in front of it: a shim's child would
    /// outlive `terminate()`.
    static let python: String = {
        if let given = ProcessInfo.processInfo.environment["COLLECTIONS_PYTHON"], !given.isEmpty { return given }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
        let out = Pipe()
        probe.standardOutput = out
        probe.standardError = FileHandle.nullDevice
        try? probe.run()
        probe.waitUntilExit()
        let path = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? "/usr/bin/python3" : path
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../deploy/local/smtp-sink.py").standardized

    init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port")
        log = folder.appendingPathComponent("messages.jsonl")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script.path, portFile.path, log.path]
        // Not the test's own output: swift test waits for every holder of it to close.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                found = port
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            process.terminate()
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the SMTP sink did not start (is aiosmtpd installed for \(Self.python)?)"])
        }
        port = found
    }

    /// Every message accepted so far.
    func messages() throws -> [Message] {
        let text = try String(contentsOf: log, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Message.self, from: Data($0.utf8)) }
    }

    /// SIGKILL: the test process blocks SIGTERM in its threads, and a child
    /// inherits that mask.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
