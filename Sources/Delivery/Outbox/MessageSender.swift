public import CollectionsService
public import Foundation
public import Logging
import Metrics
import Postgres

/// Sends the outbox's emails and texts: claims one message at a time (its row
/// locked for the send), checks the contact gate again at send time, renders the
/// tenant's template, sends, and marks the message sent together with its
/// contact note, all in the claiming transaction.
///
/// What that guarantees: a message is sent at least once, and never by two live
/// senders; a sender killed between the provider's acceptance and its commit
/// leaves that one message queued, to be sent again with the same `Message-ID` or
/// idempotency key. So each kill can duplicate at most the messages in flight:
/// one per sender task.
public struct MessageSender: Sendable {
    public struct Configuration: Sendable {
        public var smtp: SMTPSettings?
        public var sms: SMSProvider?
        /// Where opt-out links and the provider's receipts point: collections-server.
        public var publicURL: URL
        /// The sending address of a tenant without its own `email_from`.
        public var defaultFrom: String
        public var retries: DeliveryRetries

        public init(smtp: SMTPSettings?, sms: SMSProvider?, publicURL: URL, defaultFrom: String,
                    retries: DeliveryRetries = DeliveryRetries()) {
            self.smtp = smtp
            self.sms = sms
            self.publicURL = publicURL
            self.defaultFrom = defaultFrom
            self.retries = retries
        }
    }

    let database: CollectionsDatabase
    let configuration: Configuration
    let logger: Logger

    public init(database: CollectionsDatabase, configuration: Configuration, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    /// The active tenants, whose outboxes a pass visits.
    public func activeTenants(slug: String? = nil) async throws -> [UUID] {
        try await database.asWorker { tx in
            try await tx.query("""
                SELECT t.id FROM tenants t
                WHERE t.status = 'active' AND (\(slug)::text IS NULL OR t.slug = \(slug))
                ORDER BY t.slug
                """).decode(UUID.self)
        }
    }

    /// A mailer for one sender task: its own SMTP connection. Nil without SMTP.
    public func mailer() -> SMTPMailer? { configuration.smtp.map { SMTPMailer(settings: $0) } }

    /// Sends every message of `tenant` due at `at` (now, unless a test says
    /// otherwise), until none is left that this sender can claim: emails through
    /// `mailer` (none: emails wait), texts through the configured provider.
    public func deliverDue(tenant: UUID, mailer: SMTPMailer?, at: Date? = nil) async throws -> DeliverySummary {
        var summary = DeliverySummary()
        let channels = (mailer == nil ? [] : ["email"]) + (configuration.sms == nil ? [] : ["sms"])
        guard !channels.isEmpty else { return summary }
        let templates = try await MessageTemplates(database: database, tenant: tenant).stored()
        // Parsed once a pass, not once a message.
        var compiled: [String: MessageTemplate.Compiled] = [:]
        while true {
            let outcome = try await database.withTenant(tenant, retry: .never) { tx -> DeliverySummary? in
                let now = at ?? Date()
                guard let message = try await Outbox.claimNext(tx, tenant: tenant, channels: channels, at: now) else {
                    return nil
                }
                return try await deliver(tx, message, templates: templates, compiled: &compiled, mailer: mailer, at: now)
            }
            guard let outcome else { return summary }
            summary = summary + outcome
        }
    }

    private func deliver(
        _ tx: PostgresConnection, _ message: OutboxMessage, templates: [MessageTemplate],
        compiled: inout [String: MessageTemplate.Compiled], mailer: SMTPMailer?, at: Date
    ) async throws -> DeliverySummary {
        var done = DeliverySummary()
        let gate = try await Outbox.gate(tx, message, at: at)
        if let rule = gate.rule {
            let status = rule == "contact_hours_ended" || rule == "client_gone" ? "failed" : "suppressed"
            try await Outbox.markFinal(tx, message, status: status, rule: rule, reason: gate.reason ?? rule,
                                       attempted: false, suppressAddress: false)
            count(message, status)
            if status == "failed" { done.failed = 1 } else { done.suppressed = 1 }
            return done
        }
        if let waitUntil = gate.waitUntil {
            try await Outbox.postpone(tx, message, until: waitUntil)
            done.postponed = 1
            return done
        }
        guard let address = message.address else {
            try await Outbox.markFinal(tx, message, status: "failed", rule: "no_address",
                                       reason: "the message has no address", attempted: false, suppressAddress: false)
            done.failed = 1
            return done
        }
        let lines = gate.lines
        let optOut = configuration.publicURL
            .appendingPathComponent("opt-out")
            .appendingPathComponent(message.tenant.uuidString.lowercased())
            .appendingPathComponent(message.optOutToken).absoluteString
        let content = MessageContent(
            lender: message.lender, clientName: message.clientName, clientRef: message.clientRef, step: message.step,
            scheduledOn: message.scheduledOn, invoices: lines, instalments: gate.instalments, optOutURL: optOut)
        let rendered: MessageTemplate.Rendered
        do {
            let template = try compiled[message.template]
                ?? MessageTemplates.resolve(message.template, in: templates).compiled()
            compiled[message.template] = template
            rendered = template.render(content)
        } catch {
            // Templates are checked when set; a failure here must still not leave
            // the message to be claimed again at once.
            try await Outbox.markFinal(tx, message, status: "failed", rule: "template_error", reason: "\(error)",
                                       attempted: false, suppressAddress: false)
            done.failed = 1
            return done
        }

        let result: Result<String?, Refusal>
        let note: String
        switch message.channel {
        case "email":
            guard let mailer else { return done }  // not claimed without one
            let from = message.emailFrom ?? configuration.defaultFrom
            let email = EmailMessage(
                from: from, fromName: message.lender, to: address, subject: rendered.subject, text: rendered.text,
                html: rendered.html, messageID: message.messageID(from: from), date: at, optOutURL: optOut)
            note = "Email \"\(rendered.subject)\" (\(message.step)) sent to \(address)"
            switch await mailer.send(from: from, to: [address], message: email.bytes) {
            case .sent: result = .success(nil)
            case .transient(let why): result = .failure(.transient(why))
            case .permanent(let why): result = .failure(.permanent(why))
            }
        default:
            guard let sms = configuration.sms else { return done }  // not claimed without one
            let receipts = configuration.publicURL
                .appendingPathComponent("webhooks/sms")
                .appendingPathComponent(message.tenant.uuidString.lowercased())
                .appendingPathComponent("receipts").absoluteString
            note = "Text (\(message.step)) sent to \(address): \(rendered.sms)"
            switch await sms.send(to: address, body: rendered.sms, idempotencyKey: message.key, statusCallback: receipts) {
            case .sent(let sid): result = .success(sid)
            case .transient(let why): result = .failure(.transient(why))
            case .permanent(let why): result = .failure(.permanent(why))
            }
        }
        switch result {
        case .success(let providerID):
            try await Outbox.markSent(tx, message, providerID: providerID, note: String(note.prefix(10_000)))
            count(message, "sent")
            done.sent = 1
        case .failure(.transient(let why)) where message.attempts + 1 < configuration.retries.limit:
            let next = at.addingTimeInterval(configuration.retries.delay(after: message.attempts + 1))
            try await Outbox.markRetry(tx, message, error: why, next: next)
            logger.info("delivery will be retried", metadata: [
                "key": "\(message.key)", "attempt": "\(message.attempts + 1)", "error": "\(why)",
            ])
            count(message, "retried")
            done.retried = 1
        case .failure(.transient(let why)):
            try await Outbox.markFinal(
                tx, message, status: "failed", rule: "retries_exhausted",
                reason: "\(message.attempts + 1) attempts failed; the last: \(why)", attempted: true,
                suppressAddress: false)
            count(message, "failed")
            done.failed = 1
        case .failure(.permanent(let why)):
            try await Outbox.markFinal(
                tx, message, status: "failed", rule: message.channel == "email" ? "smtp_rejected" : "sms_rejected",
                reason: why, attempted: true, suppressAddress: true)
            count(message, "failed")
            done.failed = 1
        }
        return done
    }

    private enum Refusal: Error {
        case transient(String)
        case permanent(String)
    }

    private func count(_ message: OutboxMessage, _ outcome: String) {
        Counter(label: "collections_deliveries_total", dimensions: [("channel", message.channel), ("outcome", outcome)])
            .increment()
    }
}
