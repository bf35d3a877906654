import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// A current plan's own reminders (sql/0024): steps that remind of instalments,
/// counted from each unpaid instalment's date, through the same gate as every
/// message, while the plan's invoices get no dunning; none once it defaulted.
@Suite struct PlanReminderTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("plan_reminders") }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// KEEPS and MISSES each owe one invoice of 1,500.01 USD due 2024-01-10, on a
    /// plan made 2024-01-05 of 3 monthly instalments from 2024-01-15 (500.00,
    /// 500.00, 500.01). KEEPS pays the first early (2024-01-11), the second on its
    /// date, 200.00 of the third on 2024-03-10 and the rest on its date; MISSES
    /// pays nothing and has no consent to texts. The policy emails 3 days before
    /// each instalment and texts on its date, and emails about invoices 3 and 40
    /// days after their due date.
    static func book(_ fixture: ServiceFixture, _ prefix: String) async throws -> Tenant {
        let tenant = try await fixture.tenant(prefix)
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set([
            DunningStep(name: "overdue", offsetDays: 3, channel: .email, template: "first_overdue"),
            DunningStep(name: "instalment soon", offsetDays: -3, channel: .email, template: "plan_instalment_due",
                        reminds: .instalments),
            DunningStep(name: "instalment today", offsetDays: 0, channel: .sms, template: "plan_instalment_due",
                        reminds: .instalments),
            DunningStep(name: "long overdue", offsetDays: 40, channel: .email, template: "first_overdue"),
        ], actor: "test")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        for (ref, consent) in [("KEEPS", true), ("MISSES", false)] {
            _ = try await clients.create(NewClient(ref: ref, name: "Client \(ref)", email: "\(ref.lowercased())@example.com",
                                                   phone: "+15125550100", smsConsent: consent), actor: "test")
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: "\(ref)-1", amount: Money(amountMinor: 150_001, currency: "USD"),
                issuedOn: day("2023-12-11"), dueOn: day("2024-01-10")), actor: "test")
            _ = try await plans.create(.init(clientRef: ref, instalments: 3, every: .month, startOn: day("2024-01-15"),
                                             madeOn: day("2024-01-05")), actor: "test")
        }
        let payments = Payments(database: fixture.service, tenant: tenant.id)
        for (reference, minor, on) in [("K1", 50_000, "2024-01-11"), ("K2", 50_000, "2024-02-15"),
                                       ("K3", 20_000, "2024-03-10"), ("K4", 30_001, "2024-03-15")] {
            _ = try await payments.post(PaymentRequest(clientRef: "KEEPS", reference: reference,
                                                       amount: Money(amountMinor: Int64(minor), currency: "USD"),
                                                       receivedOn: day(on)),
                                        idempotencyKey: reference, actor: "test")
        }
        return tenant
    }

    static func runDays(_ fixture: ServiceFixture, _ tenant: Tenant, through last: CalendarDate) async throws {
        let days = TenantDay(database: fixture.service)
        let first = day("2024-01-01")
        for offset in 0...last.days(since: first) {
            _ = try await days.run(tenant: tenant, asOf: first.adding(days: offset), runID: nil, onlyIfNotDone: false)
        }
    }

    @Test func aCurrentPlanIsRemindedOfEachUnpaidInstalmentAndItsInvoicesAreNotDunnedUntilItDefaults() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "daily")
        try await Self.runDays(fixture, tenant, through: Self.day("2024-03-20"))
        let stored = try await fixture.service.withTenant(tenant.id) { tx in
            (instalments: try await tx.query("""
                SELECT format('%s %s %s %s %s %s', c.ref, mn.seq, mn.scheduled_on, mn.channel, mn.step, mn.balance_minor)
                FROM dunning_message_instalments mn JOIN clients c ON c.tenant_id = mn.tenant_id AND c.id = mn.client_id
                WHERE mn.tenant_id = \(tenant.id) ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             instalmentsSuppressed: try await tx.query("""
                SELECT format('%s %s %s %s %s', c.ref, s.seq, s.scheduled_on, s.channel, s.rule)
                FROM dunning_instalment_suppressions s JOIN clients c ON c.tenant_id = s.tenant_id AND c.id = s.client_id
                WHERE s.tenant_id = \(tenant.id) ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             messages: try await tx.query("""
                SELECT format('%s %s %s %s %s', c.ref, m.scheduled_on, m.channel, m.step, m.template)
                FROM dunning_messages m JOIN clients c ON c.tenant_id = m.tenant_id AND c.id = m.client_id
                WHERE m.tenant_id = \(tenant.id) ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             invoicesSuppressed: try await tx.query("""
                SELECT format('%s %s %s', i.number, s.scheduled_on, s.rule) FROM dunning_suppressions s
                JOIN invoices i ON i.tenant_id = s.tenant_id AND i.id = s.invoice_id
                WHERE s.tenant_id = \(tenant.id) ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) })
        }
        // KEEPS: the first instalment was paid before its reminder, each second and
        // third paid on its date (no text that day); the third's reminder names
        // what was still unpaid of it. MISSES: reminded of the first, no text
        // without consent, and nothing more once the plan defaulted (2024-01-16).
        #expect(stored.instalments == [
            "KEEPS 2 2024-02-12 email instalment soon 50000",
            "KEEPS 3 2024-03-12 email instalment soon 30001",
            "MISSES 1 2024-01-12 email instalment soon 50000",
        ])
        #expect(stored.instalmentsSuppressed == ["MISSES 1 2024-01-15 sms no_sms_consent"])
        // The invoices: no dunning while the plan is current; MISSES's 40-day
        // email goes, after its default; KEEPS's is held by its current plan.
        #expect(stored.invoicesSuppressed == [
            "KEEPS-1 2024-01-13 plan_current", "KEEPS-1 2024-02-19 plan_current", "MISSES-1 2024-01-13 plan_current",
        ])
        #expect(stored.messages == [
            "KEEPS 2024-02-12 email instalment soon plan_instalment_due",
            "KEEPS 2024-03-12 email instalment soon plan_instalment_due",
            "MISSES 2024-01-12 email instalment soon plan_instalment_due",
            "MISSES 2024-02-19 email long overdue first_overdue",
        ])

        // The report of a decided day says the same, instalment by instalment.
        let plan = try await DunningPlans(database: fixture.service, tenant: tenant).plan(on: Self.day("2024-03-12"))
        let keeps = try await PaymentPlans(database: fixture.service, tenant: tenant)
            .list(asOf: Self.day("2024-03-12"), clientRef: "KEEPS")[0]
        #expect(plan.decided)
        #expect(plan.messages.map(\.instalments) == [["\(keeps.id.uuidString.lowercased())#3"]])
        #expect(plan.messages.map(\.invoices) == [[]])
        #expect(plan.messages.map(\.amountMinor) == [30_001])

        // A rerun of every day stores nothing twice and changes nothing.
        let before = try await storedRows(fixture, tenant)
        try await Self.runDays(fixture, tenant, through: Self.day("2024-03-20"))
        #expect(try await storedRows(fixture, tenant) == before)
    }

    @Test func theLiveReportOfAnUndecidedDayShowsThePlansRemindersAndTheirSuppressions() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "live")
        let plan = try await DunningPlans(database: fixture.service, tenant: tenant).plan(on: Self.day("2024-01-15"))
        #expect(!plan.decided)
        // On the first instalment's date: KEEPS paid it, MISSES has no consent to texts.
        #expect(plan.messages.isEmpty)
        #expect(plan.suppressed.map { "\($0.clientRef) \($0.channel.rawValue) \($0.rule) \($0.instalments.count)" }
                == ["MISSES sms no_sms_consent 1"])
    }

    @Test func aPolicyRefusesInstalmentRemindersByLetterOrCallOrWithAMinimumInWords() throws {
        func refusal(_ json: String) -> String? {
            do {
                _ = try DunningPolicyFile.steps(from: Data(json.utf8))
                return nil
            } catch let error as ServiceError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let good = """
            {"steps": [{"name": "soon", "offset_days": -3, "channel": "email", "template": "plan_instalment_due", "reminds": "instalments"},
                       {"name": "invoice soon", "offset_days": -3, "channel": "email", "template": "reminder_before_due"}]}
            """
        #expect(refusal(good) == nil, "an instalment step and an invoice step may share day and channel")
        #expect(try DunningPolicyFile.steps(from: Data(good.utf8)).map(\.reminds) == [.instalments, .invoices])
        #expect(refusal("""
            {"steps": [{"name": "soon", "offset_days": -3, "channel": "letter", "template": "x", "reminds": "instalments"}]}
            """) == "steps[1].channel: a step that reminds of instalments sends email or sms, not letter")
        #expect(refusal("""
            {"steps": [{"name": "soon", "offset_days": -3, "channel": "email", "template": "x", "reminds": "instalments",
                        "minimum_balance": {"USD": "1.00"}}]}
            """)?.hasPrefix("steps[1].minimum_balance: a step that reminds of instalments has no minimum") == true)
        #expect(refusal("""
            {"steps": [{"name": "soon", "offset_days": -3, "channel": "email", "template": "x", "reminds": "plans"}]}
            """) == "steps[1].reminds: \"plans\" is not one of invoices, instalments")
    }
}
