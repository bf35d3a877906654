public import Foundation
import Logging

/// One visit of every active tenant's outbox (or one tenant's) by `senders`
/// sender tasks, all on one tenant before the next (the row locks keep them off
/// each other's messages, so a big tenant's day goes out `senders` at a time);
/// each task keeps its own SMTP connection for all the tenants it visits. After
/// a tenant's messages, its due webhooks to the lender (the same row locks keep
/// the tasks apart). A tenant whose pass fails is logged, and the others carry on.
public struct DeliveryPass: Sendable {
    let sender: MessageSender
    let webhooks: WebhookSender?
    let senders: Int

    public init(sender: MessageSender, webhooks: WebhookSender?, senders: Int) {
        self.sender = sender
        self.webhooks = webhooks
        self.senders = max(1, senders)
    }

    public func run(tenantSlug: String? = nil, at: Date? = nil) async throws -> DeliverySummary {
        let tenants = try await sender.activeTenants(slug: tenantSlug)
        let queue = TenantQueue(tenants.flatMap { Array(repeating: $0, count: senders) })
        return await withTaskGroup(of: DeliverySummary.self) { group in
            for _ in 0..<senders {
                group.addTask {
                    let mailer = sender.mailer()
                    var summary = DeliverySummary()
                    while let tenant = await queue.next() {
                        do {
                            summary = summary + (try await sender.deliverDue(tenant: tenant, mailer: mailer, at: at))
                            if let webhooks {
                                let sent = try await webhooks.sendDue(tenant: tenant, now: at ?? Date())
                                summary.webhooksDelivered += sent.delivered
                                summary.webhooksRetried += sent.retried
                                summary.webhooksFailed += sent.failed
                            }
                        } catch {
                            sender.logger.error("delivery pass failed for a tenant", metadata: [
                                "tenant": "\(tenant)", "error": "\(error)",
                            ])
                        }
                    }
                    return summary
                }
            }
            var total = DeliverySummary()
            for await summary in group { total = total + summary }
            return total
        }
    }

    private actor TenantQueue {
        var pending: ArraySlice<UUID>
        init(_ tenants: [UUID]) { pending = tenants[...] }
        func next() -> UUID? { pending.popFirst() }
    }
}
