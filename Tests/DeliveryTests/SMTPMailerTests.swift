import Delivery
import Foundation
import Testing

/// libcurl's SMTP against a real SMTP server on loopback (aiosmtpd).
@Suite struct SMTPMailerTests {
    /// aiosmtpd on a free port, writing every message it accepts to a mailbox folder.
    static func server() throws -> (Process, Int, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c",
                             "aiosmtpd.handlers.Mailbox", folder.appendingPathComponent("mail").path]
        // Not the test's own output: swift test waits for every holder of it to close.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, port, folder)
    }

    @Test func aMessageSentIsTheMessageTheServerStores() async throws {
        let (process, port, folder) = try Self.server()
        defer { process.terminate() }
        let mailer = SMTPMailer(url: URL(string: "smtp://127.0.0.1:\(port)")!, timeoutSeconds: 5)
        let message = Data("""
            From: Cash Store <dunning@cash.example>\r
            To: <ann@example.com>\r
            Subject: Your payment is due\r
            Message-ID: <t1-c1-email-2026-03-10@collections>\r
            \r
            INV-1 is due on 2026-03-13.\r

            """.utf8)
        var outcome = SMTPMailer.Outcome.transient("not tried")
        for _ in 0..<50 {  // the server takes a moment to listen
            outcome = await mailer.send(from: "dunning@cash.example", to: ["ann@example.com"], message: message)
            if outcome == .sent { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(outcome == .sent)
        let stored = try FileManager.default.contentsOfDirectory(
            at: folder.appendingPathComponent("mail/new"), includingPropertiesForKeys: nil)
        #expect(stored.count == 1)
        let text = try String(contentsOf: stored[0], encoding: .utf8)
        #expect(text.contains("Message-ID: <t1-c1-email-2026-03-10@collections>"))
        #expect(text.contains("INV-1 is due on 2026-03-13."))
    }

    @Test func nobodyListeningIsATransientFailure() async throws {
        let mailer = SMTPMailer(url: URL(string: "smtp://127.0.0.1:1")!, timeoutSeconds: 5)
        let outcome = await mailer.send(from: "a@example.com", to: ["b@example.com"], message: Data("x".utf8))
        guard case .transient = outcome else {
            Issue.record("expected a transient failure, got \(outcome)")
            return
        }
    }
}
