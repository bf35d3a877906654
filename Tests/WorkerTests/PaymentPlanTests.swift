import CollectionsService
import Foundation
import Postgres
import PropertyBased
import Testing
import TestSupport

/// Payment plans (DESIGN.md "Payment plans and agencies"): the split, the
/// worker's decisions day by day, what a current plan keeps from late fees and
/// dunning, reruns and backfills, and the plan-kept rate.
@Suite struct PaymentPlanTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("plans") }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    // MARK: the split

    static let splits = zip(
        Gen.int(in: 1...2_000_000_000_000), Gen.int(in: 1...120), Gen.int(in: 0...2), Gen.int(in: 0...20_000)
    )

    @Test func theSplitSumsToTheBalanceWithNoZeroInstalmentOnCalendarDates() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("split")
        let frequencies = ["week", "2weeks", "month"]
        await propertyCheck(count: 300, input: Self.splits) { total, wanted, frequency, offset in
            // Small balances too: a third of the cases have fewer minor units than 1,000.
            let total = offset % 3 == 0 ? total % 1_000 + 1 : total
            let count = min(wanted, total)
            let start = Self.day("1999-01-01").adding(days: offset)
            let rows = try await fixture.service.withTenant(tenant.id) { tx in
                try await tx.query("""
                    SELECT seq, due_on, amount_minor
                    FROM plan_schedule(\(Int64(total)), \(Int32(count))::int, \(frequencies[frequency]), \(start))
                    ORDER BY seq
                    """).map { (try $0.decode(Int.self, at: 0), try $0.decode(CalendarDate.self, at: 1), try $0.decode(Int.self, at: 2)) }
            }
            let context = "total \(total), \(count) every \(frequencies[frequency]) from \(start)"
            #expect(rows.count == count, "\(context)")
            #expect(rows.map(\.2).reduce(0, +) == total, "\(context)")
            #expect(rows.allSatisfy { $0.2 > 0 }, "\(context)")
            #expect(rows.dropLast().allSatisfy { $0.2 == total / count }, "equal parts: \(context)")
            #expect(rows.last?.2 == total / count + total % count, "the remainder on the last: \(context)")
            for (seq, due, _) in rows {
                #expect(due == Self.oracleDueDate(start: start, index: seq - 1, frequency: frequencies[frequency]),
                        "instalment \(seq): \(context)")
            }
        }
    }

    /// Test oracle: the k-th date from `start`, months counted from the start's day
    /// and clamped to the month's last day.
    static func oracleDueDate(start: CalendarDate, index: Int, frequency: String) -> CalendarDate {
        switch frequency {
        case "week": return start.adding(days: 7 * index)
        case "2weeks": return start.adding(days: 14 * index)
        default:
            let months = start.month - 1 + index
            let year = start.year + months / 12
            let month = months % 12 + 1
            return CalendarDate(year: year, month: month, day: min(start.day, CalendarDate.daysIn(month: month, year: year)))!
        }
    }

    @Test func monthlyInstalmentsKeepTheStartsDayClampedToShortMonths() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("clamp")
        let dates = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT due_on FROM plan_schedule(400, 4, 'month', DATE '2024-01-31') ORDER BY seq")
                .map { try $0.decode(CalendarDate.self, at: 0).description }
        }
        #expect(dates == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"])
    }

    // MARK: a book day by day

    /// Three clients, each with a 1,000.00 USD invoice due 2024-01-10 (a flat
    /// 25.00 fee after it) and a 500.01 one due 2024-01-20 (1.5 % a month), on a
    /// plan made 2024-01-05 of 3 monthly instalments from 2024-01-15 (500.00,
    /// 500.00, 500.01): KEEPS pays each on its date; MISSES pays the first only;
    /// BOUNCES pays the second on time, and that payment is reversed on 2024-02-25.
    /// A fourth, NOPLAN, has the same invoices and no plan. The policy emails 3
    /// days after each due date and again 45 days after.
    static func book(_ fixture: ServiceFixture, _ prefix: String) async throws -> Tenant {
        let tenant = try await fixture.tenant(prefix)
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set([
            DunningStep(name: "overdue", offsetDays: 3, channel: .email, template: "first_overdue"),
            DunningStep(name: "later", offsetDays: 45, channel: .email, template: "first_overdue"),
        ], actor: "test")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        let payments = Payments(database: fixture.service, tenant: tenant.id)
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        for ref in ["KEEPS", "MISSES", "BOUNCES", "NOPLAN"] {
            _ = try await clients.create(NewClient(ref: ref, name: "Client \(ref)", email: "\(ref.lowercased())@example.com"), actor: "test")
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: "\(ref)-1", amount: Money(amountMinor: 100_000, currency: "USD"),
                issuedOn: day("2023-12-11"), dueOn: day("2024-01-10"), lateFee: .flat(amountMinor: 2_500, graceDays: 0)), actor: "test")
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: "\(ref)-2", amount: Money(amountMinor: 50_001, currency: "USD"),
                issuedOn: day("2023-12-21"), dueOn: day("2024-01-20"), lateFee: .percent(basisPointsPerMonth: 150, graceDays: 0)), actor: "test")
            guard ref != "NOPLAN" else { continue }
            _ = try await plans.create(.init(clientRef: ref, instalments: 3, every: .month, startOn: day("2024-01-15"),
                                             madeOn: day("2024-01-05")), actor: "test")
        }
        func pay(_ ref: String, _ reference: String, _ minor: Int64, _ on: String) async throws {
            _ = try await payments.post(PaymentRequest(clientRef: ref, reference: reference,
                                                       amount: Money(amountMinor: minor, currency: "USD"), receivedOn: day(on)),
                                        idempotencyKey: reference, actor: "test")
        }
        try await pay("KEEPS", "K1", 50_000, "2024-01-15")
        try await pay("KEEPS", "K2", 50_000, "2024-02-14")
        try await pay("KEEPS", "K3", 50_001, "2024-03-15")
        try await pay("MISSES", "M1", 50_000, "2024-01-12")
        try await pay("BOUNCES", "B1", 50_000, "2024-01-15")
        try await pay("BOUNCES", "B2", 50_000, "2024-02-15")
        _ = try await payments.reverse("B2", on: day("2024-02-25"), reason: "cheque bounced", actor: "test")
        return tenant
    }

    static let first = day("2024-01-01")
    static let last = day("2024-03-31")

    @Test func aPlanDefaultsOnTheDayAfterAMissedInstalmentOrOnTheReversalAndDunningAndFeesResume() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "daily")
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        let days = TenantDay(database: fixture.service)
        var statuses: [String: [String]] = [:]
        for offset in 0...Self.last.days(since: Self.first) {
            let asOf = Self.first.adding(days: offset)
            _ = try await days.run(tenant: tenant, asOf: asOf, runID: nil, onlyIfNotDone: false)
            for plan in try await plans.list(asOf: asOf) {
                statuses[plan.clientRef, default: []].append("\(asOf) \(plan.status.rawValue)")
            }
        }
        func firstDay(_ ref: String, _ status: String) -> String? {
            statuses[ref]?.first { $0.hasSuffix(" \(status)") }.map { String($0.prefix(10)) }
        }
        // Current from the day it was made; the second instalment (due 2024-02-15)
        // unpaid the day after; B2's reversal; the last instalment paid on its date.
        #expect(firstDay("MISSES", "current") == "2024-01-05")
        #expect(firstDay("MISSES", "defaulted") == "2024-02-16")
        #expect(firstDay("BOUNCES", "defaulted") == "2024-02-25")
        #expect(firstDay("KEEPS", "kept") == "2024-03-16")
        #expect(statuses["KEEPS"]?.contains { $0.hasSuffix("defaulted") } == false)

        let missed = try await plans.list(asOf: Self.last, clientRef: "MISSES")[0]
        // The third went unpaid too (found on 2024-03-16); the plan defaulted with the second.
        #expect(missed.instalments.map(\.status) == [.paid, .missed, .missed])
        #expect(missed.instalments.map(\.missedOn) == [nil, Self.day("2024-02-16"), Self.day("2024-03-16")])
        #expect(missed.defaultedOn == Self.day("2024-02-16"))
        let bounced = try await plans.list(asOf: Self.last, clientRef: "BOUNCES")[0]
        #expect(bounced.instalments.map(\.paidMinor) == [50_000, 0, 0], "B2 reversed: only B1 counts")
        #expect(bounced.instalments[1].missedOn == Self.day("2024-02-25"))

        let stored = try await fixture.service.withTenant(tenant.id) { tx in
            (fees: try await tx.query("""
                SELECT format('%s %s %s', i.number, ch.charged_on, ch.amount_minor) FROM invoice_charges ch
                JOIN invoices i ON i.id = ch.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             suppressed: try await tx.query("""
                SELECT format('%s %s %s', i.number, s.scheduled_on, s.rule) FROM dunning_suppressions s
                JOIN invoices i ON i.id = s.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             sent: try await tx.query("""
                SELECT format('%s %s', i.number, m.scheduled_on) FROM dunning_message_invoices m
                JOIN invoices i ON i.id = m.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) })
        }
        // Fees: the flat fee of 2024-01-11 fell while every plan was current; the
        // monthly fee of 2024-02-20 only where the plan had defaulted by then, and
        // 2024-03-20's for the plan defaulted on 2024-02-25 too.
        #expect(stored.fees.filter { $0.hasPrefix("KEEPS") }.isEmpty, "\(stored.fees)")
        #expect(stored.fees.contains { $0.hasPrefix("NOPLAN-1 2024-01-11 2500") }, "\(stored.fees)")
        #expect(!stored.fees.contains { $0.hasPrefix("MISSES-1") }, "\(stored.fees)")
        #expect(stored.fees.contains { $0.hasPrefix("MISSES-2 2024-02-20") }, "\(stored.fees)")
        #expect(!stored.fees.contains { $0.hasPrefix("BOUNCES-2 2024-02-20") }, "\(stored.fees)")
        #expect(stored.fees.contains { $0.hasPrefix("BOUNCES-2 2024-03-20") }, "\(stored.fees)")
        // Dunning: the 3-day step fell while the plans were current; the 45-day one
        // on 2024-02-24 (the first invoices) after MISSES defaulted, and on 2024-03-05
        // (the second ones) after BOUNCES did, while KEEPS was still current.
        for ref in ["KEEPS", "MISSES", "BOUNCES"] {
            #expect(stored.suppressed.contains("\(ref)-1 2024-01-13 plan_current"), "\(stored.suppressed)")
        }
        #expect(stored.sent.contains("NOPLAN-1 2024-01-13"))
        #expect(stored.sent.contains("MISSES-1 2024-02-24"), "\(stored.sent)")
        #expect(stored.suppressed.contains("KEEPS-2 2024-03-05 plan_current"), "\(stored.suppressed)")
        #expect(stored.sent.contains("BOUNCES-2 2024-03-05"), "\(stored.sent)")
        #expect(!stored.sent.contains { $0.hasPrefix("KEEPS") }, "\(stored.sent)")

        // KPIs on the last day (DSO period 90 days): three plans ended, one kept;
        // the two defaults are the two broken promises of the period.
        let kpis = try await StoredReports.kpis(database: fixture.service, tenant: tenant, asOf: Self.last).currencies[0]
        #expect(kpis.plansEnded == 3)
        #expect(kpis.plansKept == 1)
        #expect(kpis.planKeptRate == 33.33)
        #expect(kpis.promisesDue == 2)
        #expect(kpis.promiseKeptRate == 0)
        let live = try await KPIs.compute(database: fixture.service, tenant: tenant, asOf: Self.last).currencies[0]
        #expect(live == kpis)
        let before = try await KPIs.compute(database: fixture.service, tenant: tenant, asOf: Self.day("2024-02-10")).currencies[0]
        #expect(before.planKeptRate == nil, "no plan had ended: null, not 0")
        #expect(before.plansEnded == 0)

        // Rerun every day: the same rows; a backfill of the same book in another
        // tenant, in one command: the same rows too.
        let stored1 = try await storedRows(fixture, tenant)
        for offset in stride(from: Self.last.days(since: Self.first), through: 0, by: -7) {
            _ = try await days.run(tenant: tenant, asOf: Self.first.adding(days: offset), runID: nil, onlyIfNotDone: false)
        }
        #expect(try await storedRows(fixture, tenant) == stored1)
        let backfilled = try await Self.book(fixture, "backfill")
        let run = try await worker(["run", "--tenant", backfilled.slug, "--from", "2024-01-01", "--to", "2024-03-31"], fixture)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try await storedRows(fixture, backfilled) == stored1)
        #expect(stored1.contains { $0.hasPrefix("instalment MISSES USD 2 2024-02-15 50000 2024-02-16") }, "\(stored1)")
    }

    @Test func aDefaultIsToldToLendersOnce() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("told")
        _ = try await WebhookEndpoints(database: fixture.service, tenant: tenant.id)
            .create(url: "https://lender.example/hooks", eventTypes: [.planDefaulted], actor: "test")
        _ = try await Clients(database: fixture.service, tenant: tenant.id)
            .create(NewClient(ref: "C1", name: "One"), actor: "test")
        _ = try await Invoices(database: fixture.service, tenant: tenant.id).create(NewInvoice(
            clientRef: "C1", number: "I1", amount: Money(amountMinor: 1_000, currency: "USD"),
            issuedOn: Self.day("2024-01-01"), dueOn: Self.day("2024-01-31")), actor: "test")
        let plan = try await PaymentPlans(database: fixture.service, tenant: tenant).create(
            .init(clientRef: "C1", instalments: 2, every: .week, startOn: Self.day("2024-02-01"), madeOn: Self.day("2024-01-20")),
            actor: "test")
        let days = TenantDay(database: fixture.service)
        for asOf in ["2024-02-01", "2024-02-02", "2024-02-02", "2024-02-03"] {
            _ = try await days.run(tenant: tenant, asOf: Self.day(asOf), runID: nil, onlyIfNotDone: false)
        }
        let events = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT type, fact_key, payload->>'defaulted_on' FROM webhook_events")
                .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" }
        }
        #expect(events == ["plan.defaulted \(plan.id.uuidString.lowercased()) 2024-02-02"])
    }

    // MARK: what a plan may cover

    @Test func aPlanIsRefusedInWordsForInvoicesItCannotCoverAndNothingIsWritten() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("refused")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        for ref in ["C1", "C2"] { _ = try await clients.create(NewClient(ref: ref, name: ref), actor: "test") }
        for (ref, number, currency) in [("C1", "OPEN", "USD"), ("C1", "PAID", "USD"), ("C1", "DISPUTED", "USD"),
                                        ("C1", "VOID", "USD"), ("C1", "EURO", "EUR"), ("C2", "OTHER", "USD")] {
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: number, amount: Money(amountMinor: 10_000, currency: currency),
                issuedOn: Self.day("2024-01-01"), dueOn: Self.day("2024-01-31")), actor: "test")
        }
        _ = try await Payments(database: fixture.service, tenant: tenant.id).post(PaymentRequest(
            clientRef: "C1", reference: "P1", amount: Money(amountMinor: 10_000, currency: "USD"), receivedOn: Self.day("2024-01-05"),
            allocation: .explicit([InvoiceAmount(invoiceNumber: "PAID", amount: Money(amountMinor: 10_000, currency: "USD"))])),
            idempotencyKey: "P1", actor: "test")
        _ = try await invoices.dispute("DISPUTED", on: Self.day("2024-01-06"), reason: "wrong goods", actor: "test")
        _ = try await invoices.void("VOID", on: Self.day("2024-01-07"), reason: "issued twice", actor: "test")
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        func refusal(_ numbers: [String]?, instalments: Int = 2, start: String = "2024-02-01") async -> String {
            do {
                _ = try await plans.create(.init(clientRef: "C1", instalments: instalments, every: .month, startOn: Self.day(start),
                                                 invoiceNumbers: numbers, madeOn: Self.day("2024-01-10")), actor: "test")
                return "made"
            } catch {
                return "\(error)"
            }
        }
        #expect(await refusal(["PAID"]).contains("invoice PAID is paid on 2024-01-10"))
        #expect(await refusal(["DISPUTED"]).contains("invoice DISPUTED is disputed on 2024-01-10"))
        #expect(await refusal(["VOID"]).contains("invoice VOID is void on 2024-01-10"))
        #expect(await refusal(["OTHER"]).contains("client C1 has no invoice OTHER"))
        #expect(await refusal(["OPEN", "EURO"]).contains("the invoices are in EUR and USD"))
        #expect(await refusal(["OPEN"], instalments: 10_001).contains("instalments must be 1 to 120"))
        #expect(await refusal(["OPEN"], start: "2024-01-09").contains("cannot fall before the plan is made"))
        let count = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT (SELECT count(*) FROM payment_plans) + (SELECT count(*) FROM plan_invoices)").scalar(Int.self)
        }
        #expect(count == 0, "nothing written")
        // Without numbers: the open invoices in one currency... here two currencies.
        #expect(await refusal(nil).contains("the invoices are in EUR and USD"))
        #expect(await refusal(["OPEN"]) == "made")
        #expect(await refusal(["OPEN"]).contains("invoice OPEN is already on payment plan"))
    }

    @Test func aPlanAndAnAgencyPlacementNeverShareAnInvoice() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("placed")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        _ = try await clients.create(NewClient(ref: "C1", name: "One"), actor: "test")
        for number in ["ONPLAN", "PLACED"] {
            _ = try await invoices.create(NewInvoice(
                clientRef: "C1", number: number, amount: Money(amountMinor: 10_000, currency: "USD"),
                issuedOn: Self.day("2024-01-01"), dueOn: Self.day("2024-01-31")), actor: "test")
        }
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "Recovery LLC", commissionBP: 2_000, actor: "test")
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        let plan = try await plans.create(.init(clientRef: "C1", instalments: 2, every: .month, startOn: Self.day("2024-02-15"),
                                                invoiceNumbers: ["ONPLAN"], madeOn: Self.day("2024-02-01")), actor: "test")
        do {
            _ = try await agencies.place(clientRef: "C1", agency: "Recovery LLC", invoiceNumbers: ["ONPLAN"],
                                         on: Self.day("2024-02-10"), actor: "test")
            Issue.record("an invoice on a current plan was placed")
        } catch {
            #expect("\(error)".contains("it is covered by payment plan \(plan.id.uuidString.lowercased())"), "\(error)")
        }
        _ = try await agencies.place(clientRef: "C1", agency: "Recovery LLC", invoiceNumbers: ["PLACED"],
                                     on: Self.day("2024-02-10"), actor: "test")
        do {
            _ = try await plans.create(.init(clientRef: "C1", instalments: 2, every: .month, startOn: Self.day("2024-02-15"),
                                             invoiceNumbers: ["PLACED"], madeOn: Self.day("2024-02-12")), actor: "test")
            Issue.record("a placed invoice went on a plan")
        } catch {
            #expect("\(error)".contains("invoice PLACED is placed with an agency"), "\(error)")
        }
        // Once the plan is cancelled nothing refuses its invoice any more.
        _ = try await plans.cancel(plan.id, on: Self.day("2024-02-14"), actor: "test")
        let refusals = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT r.reason FROM invoices i, placement_refusals(\(tenant.id), ARRAY[i.id], DATE '2024-02-14') r
                WHERE i.tenant_id = \(tenant.id) AND i.number = 'ONPLAN'
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(refusals == [])
    }

    @Test func aCancelledPlansInvoicesGetDunningAgainFromTheCancelDay() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "cancel")
        let plans = PaymentPlans(database: fixture.service, tenant: tenant)
        let keeps = try await plans.list(asOf: Self.day("2024-01-20"), clientRef: "KEEPS")[0]
        let gate = DunningPlans(database: fixture.service, tenant: tenant)
        #expect(try await gate.plan(on: Self.day("2024-01-13")).suppressed.contains { $0.clientRef == "KEEPS" && $0.rule == "plan_current" })
        let cancelled = try await plans.cancel(keeps.id, on: Self.day("2024-01-13"), reason: "client asked", actor: "test")
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancelledOn == Self.day("2024-01-13"))
        #expect(try await gate.plan(on: Self.day("2024-01-13")).messages.contains { $0.clientRef == "KEEPS" })
        #expect(try await gate.plan(on: Self.day("2024-01-12")).messages.allSatisfy { $0.clientRef != "KEEPS" })
        do {
            _ = try await plans.cancel(keeps.id, actor: "test")
            Issue.record("a cancelled plan was cancelled again")
        } catch {
            #expect("\(error)".contains("is cancelled"))
        }
        let audited = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT action FROM audit_log WHERE entity = 'payment_plan' AND entity_id = \(keeps.id.uuidString.lowercased()) ORDER BY at")
                .map { try $0.decode(String.self, at: 0) }
        }
        #expect(audited == ["create", "cancel"])
    }
}
