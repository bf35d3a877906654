import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// Placements refused in words, the commission half-even, the recovery rate on a
/// book worked out by hand.
@Suite struct AgencyPlacementTests {
    static let fixture = Task { try await ServiceFixture.make("agency_placements") }

    /// A fresh tenant with clients, each with invoices of 100.00 USD due 2013-01-31
    /// (numbers are `ref-n`), as the lender's importer would write them.
    func book(_ clients: [String: Int]) async throws -> (ServiceFixture, Tenant) {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("ag")
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            for (ref, count) in clients {
                let client = try await tx.query("""
                    INSERT INTO clients (tenant_id, ref, name) VALUES (\(tenant.id), \(ref), 'Client') RETURNING id
                    """).scalar(UUID.self)!
                for n in 0..<count {
                    try await tx.execute("""
                        INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                        VALUES (\(tenant.id), \(client), \("\(ref)-\(n + 1)"), 'USD', 10000, '2013-01-01', '2013-01-31')
                        """)
                }
            }
        }
        return (fixture, tenant)
    }

    static let day = CalendarDate("2013-03-01")!

    @Test func commissionIsHalfEvenOnHandComputedCases() async throws {
        let (fixture, tenant) = try await book([:])
        // (amount minor, basis points, commission): ties go to the even cent both ways.
        let cases: [(Int64, Int32, Int64)] = [
            (125, 1000, 12),  // 12.5 -> 12
            (135, 1000, 14),  // 13.5 -> 14
            (50, 2500, 12),  // 12.5 -> 12
            (150, 2500, 38),  // 37.5 -> 38
            (1, 5000, 0), (3, 5000, 2), (5, 5000, 2), (7, 5000, 4),  // 0.5, 1.5, 2.5, 3.5
            (2, 2500, 0), (6, 2500, 2),  // 0.5, 1.5
            (12345, 1250, 1543),  // 1543.125
            (10001, 1500, 1500),  // 1500.15
            (10003, 1500, 1500),  // 1500.45
            (10004, 1500, 1501),  // 1500.6
            (99999, 10000, 99999), (100, 0, 0), (1, 1, 0),
            (9_000_000_000_000_000, 9999, 8_999_100_000_000_000),
        ]
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            for (amount, bp, expected) in cases {
                let got = try await tx.query("SELECT agency_commission_minor(\(amount), \(bp))").scalar(Int64.self)
                #expect(got == expected, "\(amount) x \(bp) bp")
            }
        }
    }

    @Test func aRemittancePostsThePaymentAndStoresItsCommission() async throws {
        let (fixture, tenant) = try await book(["A": 2])
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "Ten Percent", commissionBP: 1000, actor: "test")
        let placement = try await agencies.place(clientRef: "A", agency: "Ten Percent", on: Self.day, actor: "test")
        let first = try await agencies.remit(placement: placement.id, reference: "R-1", amount: Money(amountMinor: 125, currency: "USD"),
                                             receivedOn: CalendarDate("2013-03-02")!, actor: "test")
        let second = try await agencies.remit(placement: placement.id, reference: "R-2", amount: Money(amountMinor: 135, currency: "USD"),
                                              receivedOn: CalendarDate("2013-03-03")!, actor: "test")
        #expect(first.commission.amountMinor == 12 && second.commission.amountMinor == 14)
        // Posted through the one path: applied to the oldest due invoice.
        #expect(first.payment.applications.map(\.amount.amountMinor) == [125])
        let listed = try #require(try await agencies.placements().first)
        #expect(listed.collected == [Money(amountMinor: 260, currency: "USD")])
        #expect(listed.commission == [Money(amountMinor: 26, currency: "USD")])
        let audit = try await fixture.service.withTenant(tenant.id) { tx async throws in
            try await tx.query("""
                SELECT action FROM audit_log WHERE tenant_id = \(tenant.id) AND entity = 'placement' ORDER BY action
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(audit.sorted() == ["place", "remit", "remit"])
        // Not on a recalled placement.
        _ = try await agencies.recall(placement.id, on: CalendarDate("2013-03-04")!, actor: "test")
        await #expect(throws: ServiceError.self) {
            try await agencies.remit(placement: placement.id, reference: "R-3", amount: Money(amountMinor: 1, currency: "USD"),
                                     receivedOn: CalendarDate("2013-03-05")!, actor: "test")
        }
    }

    @Test func paidDisputedVoidAndPlacedInvoicesAreRefusedInWords() async throws {
        let (fixture, tenant) = try await book(["A": 4, "B": 1])
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            let t = tenant.id
            _ = try await tx.pipeline([
                // A-1 paid in full, A-2 disputed (open), A-3 void.
                """
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                SELECT \(t), i.client_id, 'PAID', 'USD', 10000, '2013-02-01' FROM invoices i WHERE i.tenant_id = \(t) AND i.number = 'A-1'
                """,
                """
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT \(t), p.id, i.id, 10000, '2013-02-01' FROM payments p, invoices i
                WHERE p.tenant_id = \(t) AND i.tenant_id = \(t) AND p.reference = 'PAID' AND i.number = 'A-1'
                """,
                """
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason)
                SELECT \(t), i.id, i.amount_minor, '2013-02-10', 'price' FROM invoices i WHERE i.tenant_id = \(t) AND i.number = 'A-2'
                """,
                "UPDATE invoices SET voided_on = '2013-01-15', void_reason = 'issued twice' WHERE tenant_id = \(t) AND number = 'A-3'",
            ])
        }
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "First", commissionBP: 1500, actor: "test")
        _ = try await agencies.create(name: "Second", commissionBP: 2000, actor: "test")
        func refusal(_ numbers: [String]?, client: String = "A", agency: String = "First") async -> String? {
            do {
                _ = try await agencies.place(clientRef: client, agency: agency, invoiceNumbers: numbers, on: Self.day, actor: "test")
                return nil
            } catch let error as ServiceError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let paid = await refusal(["A-1"])
        #expect(paid == "cannot place with First: invoice A-1: it is paid (nothing is owed on it on 2013-03-01)")
        #expect(await refusal(["A-2"]) == "cannot place with First: invoice A-2: it has a dispute open on 2013-03-01")
        #expect(await refusal(["A-3"]) == "cannot place with First: invoice A-3: it is void or not issued on 2013-03-01")
        let all = await refusal(["A-1", "A-2", "A-4"])
        #expect(all == """
            cannot place with First: invoice A-1: it is paid (nothing is owed on it on 2013-03-01); \
            invoice A-2: it has a dispute open on 2013-03-01
            """)
        // The whole balance includes the disputed invoice: refused too (place the others by name).
        #expect(await refusal(nil)?.contains("invoice A-2: it has a dispute open") == true)
        #expect(await refusal(["A-9"]) == "client A has no invoice A-9")
        #expect(await refusal(["A-4"], agency: "Nobody") == "no agency Nobody")
        // Refused placements changed nothing.
        #expect(try await agencies.placements().isEmpty)

        let placed = try await agencies.place(clientRef: "A", agency: "First", invoiceNumbers: ["A-4"], on: Self.day, actor: "test")
        #expect(placed.invoices == [Placement.PlacedInvoice(number: "A-4", placed: Money(amountMinor: 10000, currency: "USD"))])
        #expect(!placed.wholeClient)
        let again = await refusal(["A-4"], agency: "Second")
        #expect(again?.hasPrefix("client A is already placed with First (placement ") == true, "\(again ?? "")")
        // An invoice held by an active placement is refused by the rule itself.
        let rule = try await fixture.service.withTenant(tenant.id) { tx async throws in
            try await tx.query("""
                SELECT r.reason FROM placement_refusals(\(tenant.id), ARRAY(SELECT id FROM invoices WHERE tenant_id = \(tenant.id) AND number = 'A-4'), '2013-03-02') r
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(rule == ["it is already placed with an agency"])
        // A partial placement leaves the client's status (and the lender's dunning of the rest) alone.
        #expect(try await status(fixture, tenant, "A") == "active")
        _ = try await agencies.recall(placed.id, on: Self.day, actor: "test")
        #expect(try await agencies.place(clientRef: "A", agency: "Second", invoiceNumbers: ["A-4"], on: Self.day, actor: "test").agency
                == "Second")
        #expect(await refusal(nil, client: "Z") == "no client Z")
    }

    func status(_ fixture: ServiceFixture, _ tenant: Tenant, _ ref: String) async throws -> String? {
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            try await tx.query("""
                SELECT coalesce(contact_standing(c.do_not_contact, c.status), c.status) FROM clients c
                WHERE c.tenant_id = \(tenant.id) AND c.ref = \(ref)
                """).scalar(String.self)
        }
    }

    @Test func placedInvoicesLeaveTheLendersWorklistAndRecallReturnsThem() async throws {
        let (fixture, tenant) = try await book(["A": 2])
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        let worklist = Worklist(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "First", commissionBP: 1500, actor: "test")
        func overdue() async throws -> [Int64] {
            try await worklist.compute(asOf: CalendarDate("2013-03-05")!).entries.flatMap { $0.overdue.map(\.amountMinor) }
        }
        #expect(try await overdue() == [20000])
        let placement = try await agencies.place(clientRef: "A", agency: "First", invoiceNumbers: ["A-1"], on: Self.day, actor: "test")
        #expect(try await overdue() == [10000])
        _ = try await agencies.recall(placement.id, on: CalendarDate("2013-03-04")!, actor: "test")
        #expect(try await overdue() == [20000])
        // A whole-client placement: the client is not listed at all.
        _ = try await agencies.place(clientRef: "A", agency: "First", on: CalendarDate("2013-03-04")!, actor: "test")
        let report = try await worklist.compute(asOf: CalendarDate("2013-03-05")!)
        #expect(report.entries.isEmpty && report.excluded.agency == 1)
    }

    @Test func aPlacedInvoiceLeavesTheLendersDunning() async throws {
        let (fixture, tenant) = try await book(["A": 2])
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "First", commissionBP: 1500, actor: "test")
        let day = CalendarDate("2013-02-01")!  // the default policy's step 1 day past due
        let plans = DunningPlans(database: fixture.service, tenant: tenant)
        func rules() async throws -> [String: String] {
            var found: [String: String] = [:]
            let plan = try await plans.plan(on: day)
            for s in plan.suppressed { for n in s.invoices { found[n] = "\(s.rule): \(s.reason)" } }
            return found
        }
        let before = try await rules()
        #expect(before["A-1"]?.hasPrefix("placed_with_agency") == false, "\(before)")
        _ = try await agencies.place(clientRef: "A", agency: "First", invoiceNumbers: ["A-1"], on: day, actor: "test")
        let after = try await rules()
        #expect(after["A-1"] == "placed_with_agency: invoice A-1 is placed with an agency", "\(after)")
        #expect(after["A-2"] == before["A-2"], "\(after)")
    }

    @Test func aWholeClientPlacementLeavesTheLendersDunningAndRecallGivesItBack() async throws {
        let (fixture, tenant) = try await book(["A": 2])
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "First", commissionBP: 1500, actor: "test")
        let placement = try await agencies.place(clientRef: "A", agency: "First", on: Self.day, actor: "test")
        #expect(placement.wholeClient && placement.invoices.map(\.number) == ["A-1", "A-2"])
        #expect(try await status(fixture, tenant, "A") == "placed_with_agency")
        let recalled = try await agencies.recall(placement.id, on: CalendarDate("2013-03-10")!, actor: "test")
        #expect(recalled.recalledOn == CalendarDate("2013-03-10"))
        #expect(try await status(fixture, tenant, "A") == "active")
        await #expect(throws: ServiceError.self) { try await agencies.recall(placement.id, actor: "test") }
    }

    /// The hand-computed book: First (15%) holds A's 100.00 + 100.00 = 200.00 from
    /// 03-01 and collected 50.00 (03-05) and 30.00 (03-06, reversed 04-10);
    /// Second holds B's 100.00 from 03-15, collected nothing; Idle has nothing.
    ///   at 03-31: First 80.00 / 200.00 = 0.40, commission 7.50 + 4.50 = 12.00;
    ///             Second 0 / 100.00 = 0.00; Idle 0 / 0 = null
    ///   at 04-30: First 50.00 / 200.00 = 0.25, commission 7.50
    ///   at 02-28: nothing placed yet: every rate null
    @Test func recoveryRateOnAHandComputedBookAndNullWhenNothingWasPlaced() async throws {
        let (fixture, tenant) = try await book(["A": 2, "B": 1])
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        for (name, bp) in [("First", 1500), ("Second", 1000), ("Idle", 500)] {
            _ = try await agencies.create(name: name, commissionBP: bp, actor: "test")
        }
        let first = try await agencies.place(clientRef: "A", agency: "First", on: Self.day, actor: "test")
        _ = try await agencies.place(clientRef: "B", agency: "Second", on: CalendarDate("2013-03-15")!, actor: "test")
        _ = try await agencies.remit(placement: first.id, reference: "F-1", amount: Money(amountMinor: 5000, currency: "USD"),
                                     receivedOn: CalendarDate("2013-03-05")!, actor: "test")
        _ = try await agencies.remit(placement: first.id, reference: "F-2", amount: Money(amountMinor: 3000, currency: "USD"),
                                     receivedOn: CalendarDate("2013-03-06")!, actor: "test")
        _ = try await Payments(database: fixture.service, tenant: tenant.id).reverse(
            "F-2", on: CalendarDate("2013-04-10")!, reason: "bounced", actor: "test")

        func figures(_ day: String) async throws -> [String: (Int64, Int64, Int64, Double?)] {
            let rows = try await agencies.recovery(asOf: CalendarDate(day)!)
            #expect(rows.allSatisfy { $0.currency == "USD" })
            return Dictionary(uniqueKeysWithValues: rows.map {
                ($0.agency, ($0.placedMinor, $0.collectedMinor, $0.commissionMinor, $0.recoveryRate))
            })
        }
        let march = try await figures("2013-03-31")
        #expect(march.count == 3)
        #expect(march["First"]! == (20000, 8000, 1200, 40.0))
        #expect(march["Second"]! == (10000, 0, 0, 0.0))
        #expect(march["Idle"]! == (0, 0, 0, nil))
        // The KPIs carry the same figures, live and for a stored day.
        let kpis = try await KPIs.compute(database: fixture.service, tenant: tenant, asOf: CalendarDate("2013-03-31")!)
        #expect(kpis.agencies == (try await agencies.recovery(asOf: CalendarDate("2013-03-31")!)))
        #expect(kpis.agencies.first { $0.agency == "First" }?.recoveryRate == 40.0)
        _ = try await TenantDay(database: fixture.service).run(
            tenant: tenant, asOf: CalendarDate("2013-03-31")!, runID: nil, onlyIfNotDone: false)
        let stored = try await StoredReports.kpis(database: fixture.service, tenant: tenant, asOf: CalendarDate("2013-03-31")!)
        #expect(stored.agencies == kpis.agencies)
        let april = try await figures("2013-04-30")
        #expect(april["First"]! == (20000, 5000, 750, 25.0))
        let february = try await figures("2013-02-28")
        #expect(february.values.allSatisfy { $0.3 == nil && $0.0 == 0 })
    }
}
