import CollectionsService
import Delivery
import Foundation
import Logging
import Postgres
import Testing
import TestSupport

/// A plan's own reminder (sql/0024) through the real sender and a real SMTP
/// server on loopback: what the email says, and the send-time check once the plan
/// is no longer current.
@Suite struct PlanReminderDeliveryTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("plan_reminder_delivery") }
    static let day = CalendarDate("2026-03-10")!
    static let zone = "America/Chicago"

    /// Two clients owing 1,000.01 USD each, on plans of 2 monthly instalments from
    /// 3 days after `day` (500.00, 500.01), made the month before; the policy
    /// emails 3 days before each instalment; the worker has queued `day`.
    static func book(_ fixture: ServiceFixture) async throws -> (Tenant, [String: UUID]) {
        let tenant = try await fixture.tenant("plr", timeZone: zone)
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set([
            DunningStep(name: "instalment soon", offsetDays: -3, channel: .email, template: "plan_instalment_due",
                        reminds: .instalments),
        ], actor: "test")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        var ids: [String: UUID] = [:]
        for ref in ["ANN", "BOB"] {
            _ = try await clients.create(NewClient(ref: ref, name: "Client \(ref)", email: "\(ref.lowercased())@example.com"),
                                         actor: "test")
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: "INV-\(ref)", amount: Money(amountMinor: 100_001, currency: "USD"),
                issuedOn: day.adding(days: -60), dueOn: day.adding(days: -30)), actor: "test")
            ids[ref] = try await plans.create(.init(clientRef: ref, instalments: 2, every: .month, startOn: day.adding(days: 3),
                                                    madeOn: day.adding(days: -28)), actor: "test").id
        }
        _ = try await TenantDay(database: fixture.service)
            .run(tenant: tenant, asOf: day.adding(days: -1), runID: nil, onlyIfNotDone: false)
        return (tenant, ids)
    }

    @Test func anInstalmentReminderIsEmailedWithWhatIsDueAndACancelledPlansIsRefusedAtSendTime() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let (tenant, plans) = try await Self.book(fixture)
        // Since the day was queued, BOB's plan was cancelled.
        _ = try await PaymentPlans(database: fixture.service, tenant: tenant)
            .cancel(try #require(plans["BOB"]), on: Self.day, reason: "agreed to pay in full", actor: "collector")
        let sender = MessageSender(
            database: fixture.worker,
            configuration: .init(
                smtp: try SMTPSettings(url: sink.url), sms: nil, publicURL: URL(string: "https://collect.example")!,
                defaultFrom: "reminders@lender.example", retries: DeliveryRetries(base: 60, cap: 600, limit: 8)),
            logger: Logger(label: "test"))
        let pass = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                               at: DeliveryBook.instant(Self.day, "10:00", Self.zone))
        #expect(pass.sent == 1)
        #expect(pass.suppressed == 1)
        let messages = try sink.messages()
        #expect(messages.map(\.to) == [["ann@example.com"]])
        let text = try #require(OutboxDeliveryTests.decodedText(messages[0].data))
        #expect(text.contains("A reminder of your payment plan"), "\(text)")
        #expect(text.contains("- instalment 1 of 2 of your payment plan, due 2026-03-13: 500.00 USD (3 days before due)"),
                "\(text)")
        #expect(messages[0].data.contains("Subject: Lender \(tenant.slug): your payment plan instalment (500.00 USD)"),
                "\(messages[0].data.prefix(600))")
        let outbox = try await DeliveryBook.outbox(fixture, tenant)
        #expect(outbox["ANN"] == ["email sent 1"])
        #expect(outbox["BOB"] == ["email suppressed 0 nothing_to_collect"])
        let reason = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT m.reason FROM dunning_messages m WHERE m.tenant_id = \(tenant.id) AND m.rule = 'nothing_to_collect'
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(reason == ["nothing it is about is still to be collected on 2026-03-10: "
                           + "instalment 1 of plan \(try #require(plans["BOB"]).uuidString.lowercased()) is of a cancelled plan"])
    }

    @Test func aTemplateMayNameAnInstalmentsFieldsOnlyInsideItsList() throws {
        func template(_ sms: String) -> MessageTemplate {
            MessageTemplate(name: "t", subject: "{{lender}}", text: "{{total}}", html: nil, sms: sms)
        }
        try template("{{#instalments}}{{seq}} of {{of}}: {{balance}} {{due_on}}{{/instalments}}").check()
        #expect(throws: MessageTemplate.Problem.self) { try template("{{#invoices}}{{seq}}{{/invoices}}").check() }
        #expect(throws: MessageTemplate.Problem.self) { try template("{{#instalments}}{{number}}{{/instalments}}").check() }
        #expect(throws: MessageTemplate.Problem.self) { try template("{{of}}").check() }
    }
}
