import Delivery
import Foundation
import Testing

/// libcurl's SMTP against a real SMTP server on loopback (aiosmtpd).
@Suite struct SMTPMailerTests {
    @Test func aMessageSentIsTheMessageTheServerStores() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let mailer = SMTPMailer(settings: try SMTPSettings(url: sink.url), timeoutSeconds: 5)
        let message = EmailMessage(
            from: "dunning@cash.example", fromName: "Cash Store", to: "ann@example.com", subject: "Your payment is due",
            text: "INV-1 is due on 2026-03-13.", html: "<p>INV-1 is due on <b>2026-03-13</b>.</p>",
            messageID: "t1-c1-email-2026-03-10@cash.example", date: Date(), optOutURL: "https://x.example/opt-out/1")
        #expect(await mailer.send(from: "dunning@cash.example", to: ["ann@example.com"], message: message.bytes) == .sent)
        // The same connection carries the next message.
        #expect(await mailer.send(from: "dunning@cash.example", to: ["bob@example.com"], message: message.bytes) == .sent)
        let stored = try sink.messages()
        #expect(stored.count == 2)
        #expect(stored.first?.message_id == "<t1-c1-email-2026-03-10@cash.example>")
        #expect(stored.first?.to == ["ann@example.com"])
        #expect(stored.first?.data.contains("List-Unsubscribe: <https://x.example/opt-out/1>") == true)
        #expect(stored.first?.data.contains(Data("INV-1 is due on 2026-03-13.".utf8).base64EncodedString()) == true)
    }

    @Test func aTemporaryRefusalIsTransientAndARejectedMailboxPermanent() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let mailer = SMTPMailer(settings: try SMTPSettings(url: sink.url), timeoutSeconds: 5)
        let bytes = Data("Subject: x\r\n\r\ny\r\n".utf8)
        guard case .transient(let why) = await mailer.send(from: "a@example.com", to: ["tempfail-1-a@example.com"], message: bytes) else {
            Issue.record("451 should be transient")
            return
        }
        #expect(why.contains("451"))
        #expect(await mailer.send(from: "a@example.com", to: ["tempfail-1-a@example.com"], message: bytes) == .sent)
        guard case .permanent(let said) = await mailer.send(from: "a@example.com", to: ["reject-b@example.com"], message: bytes) else {
            Issue.record("550 should be permanent")
            return
        }
        #expect(said.contains("550"))
    }

    @Test func nobodyListeningIsATransientFailure() async throws {
        let mailer = SMTPMailer(settings: try SMTPSettings(url: "smtp://127.0.0.1:1"), timeoutSeconds: 5)
        let outcome = await mailer.send(from: "a@example.com", to: ["b@example.com"], message: Data("x".utf8))
        guard case .transient = outcome else {
            Issue.record("expected a transient failure, got \(outcome)")
            return
        }
    }

    @Test func theSMTPURLsPasswordIsNeverShown() throws {
        let settings = try SMTPSettings(url: "smtp://mailer:s3cr%40t@mail.example.com:587?starttls=required")
        #expect(settings.password == "s3cr@t")
        #expect(settings.tls == .required)
        #expect(settings.redacted == "smtp://mailer:***@mail.example.com:587?starttls=required")
        #expect(!"\(settings)".contains("s3cr"))
        #expect(throws: SMTPSettings.Invalid.self) { try SMTPSettings(url: "http://mail.example.com") }
    }
}
