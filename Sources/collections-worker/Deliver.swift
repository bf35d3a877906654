import ArgumentParser
import AsyncHTTPClient
import CollectionsCommandLine
import CollectionsService
import Delivery
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send what the outbox holds: the day's emails over SMTP and texts through the SMS provider.",
        discussion: """
            Each message is claimed with its row locked (FOR UPDATE SKIP LOCKED), checked against
            the contact gate again (quiet hours in the client's zone, consents, holds added since),
            sent, and marked sent with its contact note in the same transaction. A failure for now
            (SMTP 4xx, no connection, provider 5xx or 429) is retried with exponential backoff and
            jitter, and failed after --retry-limit tries; a refusal (SMTP 5xx, provider 4xx) fails
            the message and records the address's opt-out for that client. Then each tenant's
            webhooks to its endpoints go (Standard Webhooks signatures, retried for 24 h).
            Guarantee: at least once, with stable ids (Message-ID, the provider's idempotency key):
            a sender killed mid-send sends its one in-flight message again on restart.
            Without --once, passes repeat every --interval seconds until SIGTERM or SIGINT.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var delivery: DeliveryOptions
    @Option(help: "Only this tenant (slug).") var tenant: String?
    @Flag(help: "One pass, then exit.") var once = false
    @Option(help: "Seconds between passes.") var interval: Int = 30
    @OptionGroup var output: FormatOptions

    func validate() throws {
        if interval < 1 { throw ValidationError("--interval must be at least 1 second") }
    }

    func run() async throws {
        let configuration = try delivery.configuration()
        let http = WebhookSender.makeHTTPClient()
        do {
            try await deliver(http: http, configuration: configuration)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }

    private func deliver(http: HTTPClient, configuration: MessageSender.Configuration) async throws {
        try await reportingFailures(database, connections: delivery.senders + 1) { db in
            let logger = workerLogger()
            let pass = DeliveryPass(
                sender: MessageSender(database: db, configuration: configuration, logger: logger),
                webhooks: WebhookSender(database: db, httpClient: http, logger: logger), senders: delivery.senders)
            if once {
                if let tenant { _ = try await TenantDirectory(database: db).find(tenant) }
                let summary = try await pass.run(tenantSlug: tenant)
                try emit(summary, format: output.format, table: {
                    Table(headers: ["sent", "retried", "failed", "suppressed", "postponed", "webhooks", "webhooks retried",
                                    "webhooks failed"],
                          rows: [[summary.sent, summary.retried, summary.failed, summary.suppressed, summary.postponed,
                                  summary.webhooksDelivered, summary.webhooksRetried, summary.webhooksFailed]
                            .map(String.init)], numeric: Set(0..<8))
                }, instead: "\(summary.sent) sent, \(summary.retried) to retry, \(summary.failed) failed, \(summary.suppressed) suppressed, \(summary.postponed) postponed; webhooks: \(summary.webhooksDelivered) delivered, \(summary.webhooksRetried) to retry, \(summary.webhooksFailed) failed\n")
                return
            }
            let loop = DeliveryLoop(pass: pass, tenantSlug: tenant, interval: .seconds(interval), logger: logger)
            try await ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [loop], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        }
    }
}

/// Delivery passes every `interval`, in `deliver` and `serve`, until shutdown.
struct DeliveryLoop: Service {
    let pass: DeliveryPass
    let tenantSlug: String?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        logger.info("collections-worker delivering", metadata: ["interval": "\(interval)"])
        while !Task.isShuttingDownGracefully {
            do {
                let summary = try await pass.run(tenantSlug: tenantSlug)
                if summary != DeliverySummary() {
                    logger.info("delivery pass", metadata: [
                        "sent": "\(summary.sent)", "retried": "\(summary.retried)", "failed": "\(summary.failed)",
                        "suppressed": "\(summary.suppressed)", "postponed": "\(summary.postponed)",
                    ])
                }
            } catch {
                logger.error("delivery pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
