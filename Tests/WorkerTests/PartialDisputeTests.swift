import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// Disputes with an amount (issue 16, item 3): a dispute holds its amount, and
/// only that, out of ageing's collectible balance, late fees, dunning and the
/// worklist; upheld it becomes a credit note (not bad debt) or a write-off,
/// rejected the amount is collectible again.
@Suite struct PartialDisputeTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("disputes") }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func usd(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: "USD") }

    /// Three clients, each with one USD invoice issued 2024-01-02 and due 2024-01-31:
    /// PART-1, 1,000.00 at 1.5 % a month, 300.00 of it disputed (pricing) on
    /// 2024-02-01 and upheld as a credit note on 2024-03-10; WHOLE-1, 500.00 with a
    /// flat 25.00 fee the day after its due date, all of it disputed on 2024-01-31
    /// and the dispute rejected on 2024-03-10; WROTE-1, 800.00 with no fee, 200.00
    /// disputed (not mine) on 2024-02-01 and upheld as a write-off on 2024-03-10.
    /// The policy emails 3, 33 and 45 days after the due date.
    static func book(_ fixture: ServiceFixture, _ prefix: String) async throws -> Tenant {
        let tenant = try await fixture.tenant(prefix)
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set([
            DunningStep(name: "first", offsetDays: 3, channel: .email, template: "first_overdue"),
            DunningStep(name: "second", offsetDays: 33, channel: .email, template: "first_overdue"),
            DunningStep(name: "third", offsetDays: 45, channel: .email, template: "first_overdue"),
        ], actor: "test")
        let clients = Clients(database: fixture.service, tenant: tenant.id)
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        for (ref, minor, fee) in [("PART", Int64(100_000), LateFeePolicy.percent(basisPointsPerMonth: 150, graceDays: 0)),
                                  ("WHOLE", 50_000, .flat(amountMinor: 2_500, graceDays: 0)), ("WROTE", 80_000, .none)] {
            _ = try await clients.create(NewClient(ref: ref, name: "Client \(ref)", email: "\(ref.lowercased())@example.com"), actor: "test")
            _ = try await invoices.create(NewInvoice(
                clientRef: ref, number: "\(ref)-1", amount: usd(minor), issuedOn: day("2024-01-02"), dueOn: day("2024-01-31"),
                lateFee: fee), actor: "test")
        }
        _ = try await invoices.dispute("PART-1", on: day("2024-02-01"), reasonCode: .pricing, amount: usd(30_000),
                                       reason: "charged list price, not the agreed price", actor: "collector")
        _ = try await invoices.dispute("WHOLE-1", on: day("2024-01-31"), reasonCode: .goodsOrService,
                                       reason: "never delivered", actor: "collector")
        _ = try await invoices.dispute("WROTE-1", on: day("2024-02-01"), reasonCode: .notMine, amount: usd(20_000),
                                       reason: "two lines are another customer's", actor: "collector")
        _ = try await invoices.resolveDispute("PART-1", on: day("2024-03-10"), outcome: .creditNote,
                                              resolution: "credited the price difference", actor: "manager")
        _ = try await invoices.resolveDispute("WHOLE-1", on: day("2024-03-10"), outcome: .rejected,
                                              resolution: "proof of delivery signed", actor: "manager")
        _ = try await invoices.resolveDispute("WROTE-1", on: day("2024-03-10"), outcome: .writeOff,
                                              resolution: "cannot tell whose lines they were", actor: "manager")
        return tenant
    }

    static let first = day("2024-01-25")
    static let last = day("2024-03-31")

    @Test func aDisputeHoldsOnlyItsAmountOutOfFeesDunningAndAgeingUntilItIsResolved() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "daily")
        let days = TenantDay(database: fixture.service)
        for offset in 0...Self.last.days(since: Self.first) {
            _ = try await days.run(tenant: tenant, asOf: Self.first.adding(days: offset), runID: nil, onlyIfNotDone: false)
        }
        let stored = try await fixture.service.withTenant(tenant.id) { tx in
            (fees: try await tx.query("""
                SELECT format('%s %s %s', i.number, ch.charged_on, ch.amount_minor) FROM invoice_charges ch
                JOIN invoices i ON i.id = ch.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             sent: try await tx.query("""
                SELECT format('%s %s %s', i.number, m.scheduled_on, m.balance_minor) FROM dunning_message_invoices m
                JOIN invoices i ON i.id = m.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             suppressed: try await tx.query("""
                SELECT format('%s %s %s', i.number, s.scheduled_on, s.rule) FROM dunning_suppressions s
                JOIN invoices i ON i.id = s.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) },
             audit: try await tx.query("""
                SELECT format('%s %s', a.entity_id, a.action) FROM audit_log a
                WHERE a.action IN ('dispute', 'resolve_dispute', 'credit_note', 'write_off') ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) })
        }
        // 1.5 % of the undisputed 700.00 on 2024-02-29 (not of 1,000.00: 15.00); of
        // 1,000.00 less the 300.00 credit on 2024-03-31. WHOLE-1's flat fee fell due
        // on 2024-02-01, while all of it was disputed: none, then or after.
        #expect(stored.fees == ["PART-1 2024-02-29 1050", "PART-1 2024-03-31 1050"])
        // Dunning lists only what is not disputed; all of it disputed, nothing is
        // sent; rejected, all of it is chased again; written off, nothing.
        #expect(stored.sent == [
            "PART-1 2024-02-03 70000", "PART-1 2024-03-04 71050", "PART-1 2024-03-16 71050",
            "WHOLE-1 2024-03-16 50000",
            "WROTE-1 2024-02-03 60000", "WROTE-1 2024-03-04 60000",
        ], "\(stored.sent)")
        #expect(stored.suppressed == [
            "WHOLE-1 2024-02-03 invoice_disputed", "WHOLE-1 2024-03-04 invoice_disputed",
            "WROTE-1 2024-03-16 invoice_written_off",
        ], "\(stored.suppressed)")
        #expect(stored.audit == [
            "PART-1 credit_note", "PART-1 dispute", "PART-1 resolve_dispute", "WHOLE-1 dispute", "WHOLE-1 resolve_dispute",
            "WROTE-1 dispute", "WROTE-1 resolve_dispute", "WROTE-1 write_off",
        ])

        // Ageing: the whole balance in its bucket, the disputed part on its own.
        let open = try await StoredReports.ageing(database: fixture.service, tenant: tenant, asOf: Self.day("2024-02-15"))
        #expect(open.currencies.map(\.totalMinor) == [230_000])
        #expect(open.currencies.map(\.disputedMinor) == [30_000 + 50_000 + 20_000])
        let after = try await StoredReports.ageing(database: fixture.service, tenant: tenant, asOf: Self.day("2024-03-15"))
        #expect(after.currencies.map(\.totalMinor) == [71_050 + 50_000 + 60_000])
        #expect(after.currencies.map(\.disputedMinor) == [0])
        let live = try await Ageing.compute(database: fixture.service, tenant: tenant, asOf: Self.day("2024-02-15"))
        #expect(live.currencies == open.currencies)

        // The write-off is bad debt; the credit note is not (credit sales 2,300.00).
        let kpis = try await StoredReports.kpis(database: fixture.service, tenant: tenant, asOf: Self.last).currencies[0]
        #expect(kpis.writeOffsMinor == 20_000)
        #expect(kpis.badDebtRatio == 8.70)

        // The invoices' own states say the same.
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        let part = try await invoices.get("PART-1", asOf: Self.day("2024-02-15"))
        #expect(part.status == .disputed)
        #expect(part.disputedMinor == 30_000)
        let credited = try await invoices.get("PART-1", asOf: Self.day("2024-03-15"))
        #expect(credited.status == .open)
        #expect(credited.creditedMinor == 30_000)
        #expect(credited.writtenOffMinor == 0)
        #expect(credited.balance == Self.usd(71_050))
        let disputes = try await invoices.disputes("PART-1")
        #expect(disputes.map(\.outcome) == [.creditNote])
        #expect(disputes.map(\.reasonCode) == [.pricing])
        #expect(disputes[0].writeOffID != nil)

        // A rerun of every day writes the same rows.
        let before = try await storedRows(fixture, tenant)
        for offset in stride(from: Self.last.days(since: Self.first), through: 0, by: -5) {
            _ = try await days.run(tenant: tenant, asOf: Self.first.adding(days: offset), runID: nil, onlyIfNotDone: false)
        }
        #expect(try await storedRows(fixture, tenant) == before)
    }

    @Test func theWorklistChasesOnlyTheUndisputedPart() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture, "worklist")
        let report = try await Worklist(database: fixture.service, tenant: tenant.id).compute(asOf: Self.day("2024-02-15"))
        let part = try #require(report.entries.first { $0.clientRef == "PART" })
        #expect(part.overdue == [.init(currency: "USD", amountMinor: 70_000)])
        #expect(part.reasons.contains { $0.reason == "1 invoice in dispute (300.00 USD)" }, "\(part.reasons)")
        // All of WHOLE's balance is disputed: nothing to chase, so it is not listed.
        #expect(!report.entries.contains { $0.clientRef == "WHOLE" })
    }

    @Test func aDisputeIsRefusedInWordsWhenItCannotHoldWhatItAsksAndNothingIsWritten() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("refusals")
        _ = try await Clients(database: fixture.service, tenant: tenant.id).create(NewClient(ref: "C1", name: "One"), actor: "test")
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        for number in ["OPEN", "PAID"] {
            _ = try await invoices.create(NewInvoice(
                clientRef: "C1", number: number, amount: Self.usd(10_000), issuedOn: Self.day("2024-01-01"),
                dueOn: Self.day("2024-01-31")), actor: "test")
        }
        _ = try await Payments(database: fixture.service, tenant: tenant.id).post(PaymentRequest(
            clientRef: "C1", reference: "P1", amount: Self.usd(10_000), receivedOn: Self.day("2024-01-05"),
            allocation: .explicit([InvoiceAmount(invoiceNumber: "PAID", amount: Self.usd(10_000))])),
            idempotencyKey: "P1", actor: "test")
        let over = await #expect(throws: ServiceError.self) {
            try await invoices.dispute("OPEN", on: Self.day("2024-02-01"), amount: Self.usd(10_001), reason: "x", actor: "t")
        }
        #expect(over?.message == "invoice OPEN owes 100.00 USD on 2024-02-01; cannot dispute 100.01 USD")
        let currency = await #expect(throws: ServiceError.self) {
            try await invoices.dispute("OPEN", on: Self.day("2024-02-01"), amount: Money(amountMinor: 100, currency: "EUR"),
                                       reason: "x", actor: "t")
        }
        #expect(currency?.message == "invoice OPEN is in USD; a dispute in EUR cannot concern it")
        let paid = await #expect(throws: ServiceError.self) {
            try await invoices.dispute("PAID", on: Self.day("2024-02-01"), reason: "x", actor: "t")
        }
        #expect(paid?.message == "invoice PAID owes nothing on 2024-02-01; there is nothing to dispute")
        let none = await #expect(throws: ServiceError.self) {
            try await invoices.resolveDispute("OPEN", on: Self.day("2024-02-01"), outcome: .creditNote, resolution: "x", actor: "t")
        }
        #expect(none?.message == "invoice OPEN has no open dispute to resolve")
        let written = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT (SELECT count(*) FROM disputes) + (SELECT count(*) FROM write_offs)").scalar(Int.self)
        }
        #expect(written == 0)

        // Upheld after the invoice was paid: nothing is left to credit, so nothing is written.
        _ = try await invoices.dispute("OPEN", on: Self.day("2024-02-01"), amount: Self.usd(4_000), reason: "x", actor: "t")
        _ = try await Payments(database: fixture.service, tenant: tenant.id).post(PaymentRequest(
            clientRef: "C1", reference: "P2", amount: Self.usd(10_000), receivedOn: Self.day("2024-02-05"),
            allocation: .explicit([InvoiceAmount(invoiceNumber: "OPEN", amount: Self.usd(10_000))])),
            idempotencyKey: "P2", actor: "test")
        let upheld = try await invoices.resolveDispute("OPEN", on: Self.day("2024-02-10"), outcome: .creditNote, resolution: "y", actor: "t")
        #expect(upheld.outcome == .creditNote)
        #expect(upheld.writeOffID == nil)
    }
}
