/// The facts a lender can hear of by webhook, named as the events' `type`.
///
/// Each is written in the transaction of its fact by sql/functions/webhook_emit.sql
/// (called by the fact's trigger or the worker's day), so this list is what an
/// endpoint may subscribe to, not where events come from.
public enum WebhookEventType: String, Sendable, Codable, CaseIterable {
    case paymentPosted = "payment.posted"
    case messageSent = "message.sent"
    case promiseBroken = "promise.broken"
    case invoiceOverdue = "invoice.overdue"
    case planDefaulted = "plan.defaulted"
}
