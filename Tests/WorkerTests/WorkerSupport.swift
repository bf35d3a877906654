import CollectionsService
import Foundation
import Postgres
import TestSupport

/// Everything the worker stores for a tenant, as comparable text: tenant ids,
/// client ids and timestamps of the computation left out, clients named by ref.
func storedRows(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> [String] {
    try await fixture.service.withTenant(tenant.id) { tx in
        let queries: [SQL] = [
            """
            SELECT format('ageing %s %s %s %s %s %s %s %s', as_of, currency, bucket_limits, total_minor, current_minor,
                          bucket_minor, disputed_minor, unapplied_credit_minor) FROM ageing_snapshots
            """,
            """
            SELECT format('client %s %s %s %s %s %s %s', s.as_of, c.ref, s.currency, s.total_minor, s.current_minor,
                          s.bucket_minor, s.unapplied_credit_minor)
            FROM client_ageing_snapshots s JOIN clients c ON c.id = s.client_id
            """,
            """
            SELECT format('kpi %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s', as_of, currency, ar_minor, current_minor,
                          credit_sales_minor, dso, countback_dso, best_possible_dso, average_days_delinquent, cei,
                          percent_current, bad_debt_ratio, promise_kept_rate, csat_percent, csat_average, csat_count)
                   || format(' plans %s %s %s', plans_ended, plans_kept, plan_kept_rate)
            FROM kpi_snapshots
            """,
            """
            SELECT format('fee %s %s %s %s', i.number, ch.period_key, ch.charged_on, ch.amount_minor)
            FROM invoice_charges ch JOIN invoices i ON i.id = ch.invoice_id
            """,
            """
            SELECT format('promise %s %s %s %s', n.promise_date, o.state, o.decided_on, o.paid_minor)
            FROM promise_outcomes o JOIN contact_notes n ON n.id = o.note_id
            """,
            """
            SELECT format('message %s %s %s %s %s %s %s %s %s', c.ref, m.channel, m.scheduled_on, m.policy_version, m.step,
                          m.template, m.address, m.send_from, m.send_until)
            FROM dunning_messages m JOIN clients c ON c.id = m.client_id
            """,
            """
            SELECT format('message invoice %s %s %s %s %s %s %s', i.number, mi.channel, mi.scheduled_on, mi.step,
                          mi.offset_days, mi.currency, mi.balance_minor)
            FROM dunning_message_invoices mi JOIN invoices i ON i.id = mi.invoice_id
            """,
            """
            SELECT format('suppressed %s %s %s %s %s %s %s', i.number, s.channel, s.scheduled_on, s.step, s.rule, s.reason,
                          s.balance_minor)
            FROM dunning_suppressions s JOIN invoices i ON i.id = s.invoice_id
            """,
            """
            SELECT format('message instalment %s %s %s %s %s %s %s %s', c.ref, mn.seq, mn.channel, mn.scheduled_on, mn.step,
                          mn.offset_days, mn.currency, mn.balance_minor)
            FROM dunning_message_instalments mn JOIN clients c ON c.id = mn.client_id
            """,
            """
            SELECT format('suppressed instalment %s %s %s %s %s %s %s %s', c.ref, s.seq, s.channel, s.scheduled_on, s.step,
                          s.rule, s.reason, s.balance_minor)
            FROM dunning_instalment_suppressions s JOIN clients c ON c.id = s.client_id
            """,
            """
            SELECT format('plan %s %s %s %s %s %s', c.ref, p.currency, p.total_minor, p.made_on, p.defaulted_on, p.kept_on)
            FROM payment_plans p JOIN clients c ON c.id = p.client_id
            """,
            """
            SELECT format('instalment %s %s %s %s %s %s', c.ref, p.currency, i.seq, i.due_on, i.amount_minor, i.missed_on)
            FROM plan_instalments i JOIN payment_plans p ON p.id = i.plan_id JOIN clients c ON c.id = p.client_id
            """,
            "SELECT format('day %s %s %s', job, as_of, rows_written) FROM tenant_days",
        ]
        var rows: [String] = []
        for query in queries {
            rows += try await tx.query(query).map { try $0.decode(String.self, at: 0) }
        }
        return rows.sorted()
    }
}

func worker(_ arguments: [String], _ fixture: ServiceFixture) async throws -> CommandResult {
    try await Executable.run("collections-worker", arguments, databaseURL: fixture.database.url(as: .worker))
}
