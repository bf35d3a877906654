import CollectionsService
import Foundation
import Postgres

/// The dunning page of a day: the gate's plan (what is sent and what each rule
/// suppressed) and the outbox's deliveries, read together by `DunningDay.read`
/// with the queries and readers of `report dunning-plan|deliveries`.
struct DunningView: Sendable {
    struct Line: Sendable {
        var client: String
        var channel: String
        var step: String
        var invoices: String
        var amount: String
        var window: String
    }

    struct Suppressed: Sendable {
        var client: String
        var channel: String
        var step: String
        var invoices: String
        var rule: String
        var reason: String
    }

    struct Delivery: Sendable {
        var client: String
        var channel: String
        var step: String
        var status: String
        var attempts: Int
        var sent: String
        var note: String
    }

    var chrome: DashboardChrome
    var asOf: String
    var policyVersion: Int
    var decided: Bool
    var counts: DeliveryReport.Counts
    var messageCount: Int
    var suppressedCount: Int
    var messages: [Line]
    var suppressed: [Suppressed]
    var deliveries: [Delivery]

    static func make(
        database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate?, chrome: DashboardChrome
    ) async throws -> DunningView {
        let day = try await DunningDay.read(database: database, tenant: tenant, on: asOf)
        let (plan, report) = (day.plan, day.deliveries)
        return DunningView(
            chrome: chrome, asOf: plan.asOf.description, policyVersion: plan.policyVersion, decided: plan.decided,
            counts: report.counts, messageCount: plan.messages.count, suppressedCount: plan.suppressed.count,
            messages: plan.messages.map { message in
                let amount = message.currency.flatMap { currency in
                    message.amountMinor.map { Money(amountMinor: $0, currency: currency).formatted }
                } ?? message.amounts.map { Money(amountMinor: $0.amountMinor, currency: $0.currency).formatted }
                    .joined(separator: " + ")
                return Line(
                    client: message.clientRef, channel: message.channel.rawValue, step: message.step,
                    invoices: message.invoices.joined(separator: ", "), amount: amount,
                    window: "\(WorklistView.when(message.sendFrom, zone: message.timeZone))-"
                        + "\(WorklistView.when(message.sendUntil, zone: message.timeZone).suffix(5)) \(message.timeZone)")
            },
            suppressed: plan.suppressed.map {
                Suppressed(
                    client: $0.clientRef, channel: $0.channel.rawValue, step: $0.step,
                    invoices: $0.invoices.joined(separator: ", "), rule: $0.rule, reason: $0.reason)
            },
            deliveries: report.messages.map {
                Delivery(
                    client: $0.clientRef, channel: $0.channel, step: $0.step, status: $0.status, attempts: $0.attempts,
                    sent: $0.sentAt.map { WorklistView.when($0, zone: tenant.timeZone) } ?? "",
                    note: [$0.rule, $0.reason, $0.lastError, $0.receipt].compactMap { $0 }.joined(separator: " · "))
            })
    }
}
