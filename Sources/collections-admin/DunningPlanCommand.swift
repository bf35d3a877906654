import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct DunningPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning-plan",
        abstract: "What a day's dunning sends and suppresses, and the rule behind each suppression.",
        discussion: """
            One message per client, channel and day, listing every invoice it is about and every
            instalment of a current payment plan it reminds of (a step with "reminds":
            "instalments"; shown as "plan PLAN-ID#SEQ"), to go between 08:00 and 21:00 in the
            client's time zone. A day the worker has done shows
            what it stored; a later day, what a run would store now (the same contact gate).
            Rules: invoice_void, do_not_contact, client_closed, client_on_hold,
            placed_with_agency, hold_cease_communication, hold_attorney, hold_bankruptcy,
            hold_deceased, hold_dispute_verification, invoice_disputed, invoice_written_off, plan_current,
            below_minimum, promise_running, no_sms_consent, opted_out, no_address,
            recent_conversation, call_attempt_limit, commercial_cap.
            """)

    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

    func run() async throws {
        try await options.withTenant { db, tenant in
            let plan = try await DunningPlans(database: db, tenant: tenant).plan(on: asOf)
            let sent = plan.messages.map {
                ["send", $0.clientRef, $0.channel.rawValue, $0.step, Self.about($0.invoices, $0.instalments),
                 $0.amounts.map { Money(amountMinor: $0.amountMinor, currency: $0.currency).formatted }.joined(separator: ", "),
                 "\(Self.clock($0.sendFrom, $0.timeZone))-\(Self.clock($0.sendUntil, $0.timeZone)) \($0.timeZone)"]
            }
            let held = plan.suppressed.map {
                ["suppress", $0.clientRef, $0.channel.rawValue, $0.step, Self.about($0.invoices, $0.instalments), $0.rule,
                 $0.reason]
            }
            let table = Table(headers: ["", "client", "channel", "step", "invoices", "amount / rule", "hours / reason"],
                              rows: sent + held)
            let byChannel = Dictionary(grouping: plan.messages, by: \.channel.rawValue).sorted { $0.key < $1.key }
                .map { "\($0.value.count) by \($0.key)" }.joined(separator: ", ")
            let byRule = Dictionary(grouping: plan.suppressed, by: \.rule).sorted { $0.key < $1.key }
                .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
            let state = plan.decided ? "as the worker stored it" : "not run yet: what a run would queue now"
            try emit(plan, format: options.format, table: { table },
                     before: """
                        \(tenant.name) (\(tenant.slug)): dunning for \(plan.asOf), policy version \(plan.policyVersion), \(state)
                        messages: \(plan.messages.count)\(byChannel.isEmpty ? "" : " (\(byChannel))"); suppressed: \(plan.suppressed.count)\(byRule.isEmpty ? "" : " (\(byRule))")


                        """,
                     instead: table.rows.isEmpty ? "nothing to send or suppress\n" : nil)
        }
    }

    /// The invoices' numbers, then the instalments as "plan PLAN-ID#SEQ".
    static func about(_ invoices: [String], _ instalments: [String]) -> String {
        (invoices + instalments.map { "plan \($0)" }).joined(separator: " ")
    }

    /// "08:00" on the client's wall clock.
    static func clock(_ date: Date, _ zone: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
