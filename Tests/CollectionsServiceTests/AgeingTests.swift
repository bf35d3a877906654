import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// A small book for the reporting suites, written straight into the tables (not
/// through the ledger API), every fact dated. Each test gets a tenant of its own
/// in one database shared by `AgeingTests` and `KPITests`.
struct ReportingBook: Sendable {
    static let database = Task { try await ServiceFixture.make("reporting") }

    let fixture: ServiceFixture
    private(set) var tenant: Tenant

    var service: CollectionsDatabase { fixture.service }

    static func make(currency: String? = "USD", timeZone: String = "UTC") async throws -> ReportingBook {
        let fixture = try await database.value
        let tenant = try await TenantRegistry(database: fixture.service).create(
            slug: "rep-\(UInt32.random(in: 0...UInt32.max))", name: "Reporting test", currency: currency,
            timeZone: timeZone, actor: "test")
        return ReportingBook(fixture: fixture, tenant: tenant)
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    mutating func configure(
        bucketLimits: [Int]? = nil, dsoPeriodDays: Int? = nil, ceiPeriodDays: Int? = nil, promiseGraceDays: Int? = nil
    ) async throws {
        tenant = try await TenantRegistry(database: service).configure(
            tenant.slug, ageingBucketLimits: bucketLimits, dsoPeriodDays: dsoPeriodDays,
            ceiPeriodDays: ceiPeriodDays, promiseGraceDays: promiseGraceDays, actor: "test")
    }

    // MARK: Facts

    private func insert(_ sql: SQL) async throws -> UUID {
        try await service.withTenant(tenant.id) { tx in
            try #require(try await tx.query(sql).scalar(UUID.self))
        }
    }

    func execute(_ sql: SQL) async throws {
        try await service.withTenant(tenant.id) { tx in _ = try await tx.execute(sql) }
    }

    @discardableResult
    func client(_ ref: String, name: String? = nil) async throws -> UUID {
        try await insert("""
            INSERT INTO clients (tenant_id, ref, name) VALUES (current_tenant_id(), \(ref), \(name ?? "Client \(ref)"))
            RETURNING id
            """)
    }

    @discardableResult
    func invoice(
        _ client: UUID, _ amount: Int, issued: String, due: String, currency: String = "USD", voided: String? = nil
    ) async throws -> UUID {
        try await insert("""
            INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on, voided_on, void_reason)
            VALUES (current_tenant_id(), \(client), \("INV-\(UUID().uuidString.prefix(8))"), \(currency), \(amount),
                    \(issued)::date, \(due)::date, \(voided)::date, \(voided == nil ? nil : "voided"))
            RETURNING id
            """)
    }

    @discardableResult
    func payment(
        _ client: UUID, _ amount: Int, received: String, currency: String = "USD", reversed: String? = nil
    ) async throws -> UUID {
        try await insert("""
            INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, reversed_on)
            VALUES (current_tenant_id(), \(client), \("PAY-\(UUID().uuidString.prefix(8))"), \(currency), \(amount),
                    \(received)::date, \(reversed)::date)
            RETURNING id
            """)
    }

    func apply(_ payment: UUID, to invoice: UUID, _ amount: Int, on date: String) async throws {
        try await execute("""
            INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
            VALUES (current_tenant_id(), \(payment), \(invoice), \(amount), \(date)::date)
            """)
    }

    /// A payment applied in full to one invoice on the day it is received.
    @discardableResult
    func pay(
        _ client: UUID, _ invoice: UUID, _ amount: Int, on date: String, currency: String = "USD", reversed: String? = nil
    ) async throws -> UUID {
        let id = try await payment(client, amount, received: date, currency: currency, reversed: reversed)
        try await apply(id, to: invoice, amount, on: date)
        return id
    }

    func reverse(_ payment: UUID, on date: String) async throws {
        try await execute("""
            UPDATE payments SET reversed_on = \(date)::date, reversal_reason = 'bounced' WHERE id = \(payment)
            """)
    }

    func charge(_ invoice: UUID, _ amount: Int, on date: String) async throws {
        try await execute("""
            INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on)
            VALUES (current_tenant_id(), \(invoice), 'late_fee', \(amount), \(date)::date)
            """)
    }

    func writeOff(_ invoice: UUID, _ amount: Int, on date: String) async throws {
        try await execute("""
            INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
            VALUES (current_tenant_id(), \(invoice), \(amount), \(date)::date, 'uncollectable')
            """)
    }

    func void(_ invoice: UUID, on date: String) async throws {
        try await execute("UPDATE invoices SET voided_on = \(date)::date, void_reason = 'error' WHERE id = \(invoice)")
    }

    @discardableResult
    /// A dispute of `amount` (all of the invoice's amount when nil).
    func dispute(_ invoice: UUID, amount: Int? = nil, opened: String, resolved: String? = nil) async throws -> UUID {
        try await insert("""
            INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on, resolution)
            VALUES (current_tenant_id(), \(invoice),
                    coalesce(\(amount.map(Int64.init))::bigint, (SELECT i.amount_minor FROM invoices i WHERE i.id = \(invoice))),
                    \(opened)::date, 'wrong goods', \(resolved)::date,
                    \(resolved == nil ? nil : "settled"))
            RETURNING id
            """)
    }

    func resolve(_ dispute: UUID, on date: String) async throws {
        try await execute("UPDATE disputes SET resolved_on = \(date)::date, resolution = 'settled' WHERE id = \(dispute)")
    }

    /// A contact note at an instant (`2013-06-30 23:00:00+00`), with a
    /// satisfaction score and/or a promise to pay.
    func note(
        _ client: UUID, at instant: String, satisfaction: Int? = nil,
        promise: (amount: Int, currency: String, date: String)? = nil
    ) async throws {
        try await execute("""
            INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome,
                                       promise_amount_minor, promise_currency, promise_date, satisfaction)
            VALUES (current_tenant_id(), \(client), \(instant)::timestamptz, 'call',
                    \(promise == nil ? nil : "promise_to_pay"), \(promise?.amount), \(promise?.currency),
                    \(promise?.date)::date, \(satisfaction.map(Int16.init)))
            """)
    }

    // MARK: Reports

    func ageing(_ asOf: String) async throws -> AgeingReport {
        try await Ageing.compute(database: service, tenant: tenant, asOf: Self.date(asOf))
    }

    func ageingByClient(_ asOf: String) async throws -> ClientAgeingReport {
        try await Ageing.byClient(database: service, tenant: tenant, asOf: Self.date(asOf))
    }

    func kpis(_ asOf: String) async throws -> KPIReport {
        try await KPIs.compute(database: service, tenant: tenant, asOf: Self.date(asOf))
    }

    /// The JSON object of an encoded value.
    static func json(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

extension AgeingReport {
    func row(_ currency: String) throws -> AgeingReport.Currency {
        try #require(currencies.first { $0.currency == currency })
    }
}

extension AgeingReport.Currency {
    /// The bucket amounts, in order.
    var amounts: [Int] { buckets.map(\.amountMinor) }
}

@Suite struct AgeingTests {
    // Dates: every test below reports as of D = 2013-06-30 unless it says otherwise;
    // days past due = D - due_on.

    @Test func balancesFallInTheirBucketsAtEveryBoundary() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        let asOf = ReportingBook.date("2013-06-30")
        // Days past due -> amount (powers of two, so every sum names its invoices):
        //   -5 -> 1, 0 -> 2 (current: 3)
        //   1 -> 4, 30 -> 8 (1-30: 12); 31 -> 16, 60 -> 32 (31-60: 48)
        //   61 -> 64, 90 -> 128 (61-90: 192); 91 -> 256, 400 -> 512 (91+: 768); total 1023
        let cases = [(-5, 1), (0, 2), (1, 4), (30, 8), (31, 16), (60, 32), (61, 64), (90, 128), (91, 256), (400, 512)]
        for (daysPastDue, amount) in cases {
            let due = asOf.adding(days: -daysPastDue)
            try await book.invoice(client, amount, issued: due.adding(days: -30).description, due: due.description)
        }
        let report = try await book.ageing("2013-06-30")
        #expect(report.tenant == book.tenant.slug)
        #expect(report.asOf == asOf)
        #expect(report.currencies.count == 1)
        let usd = try report.row("USD")
        #expect(usd.totalMinor == 1023)
        #expect(usd.currentMinor == 3)
        #expect(usd.buckets == [
            AgeingBucket(label: "1-30", fromDays: 1, toDays: 30, amountMinor: 12),
            AgeingBucket(label: "31-60", fromDays: 31, toDays: 60, amountMinor: 48),
            AgeingBucket(label: "61-90", fromDays: 61, toDays: 90, amountMinor: 192),
            AgeingBucket(label: "91+", fromDays: 91, toDays: nil, amountMinor: 768),
        ])
        #expect(usd.disputedMinor == 0)
        #expect(usd.unappliedCreditMinor == 0)
    }

    @Test func customBucketLimitsMakeTheirOwnBuckets() async throws {
        var book = try await ReportingBook.make()
        let client = try await book.client("A")
        let asOf = ReportingBook.date("2013-06-30")
        let cases = [(-5, 1), (0, 2), (1, 4), (15, 8), (16, 16), (45, 32), (46, 64), (200, 128)]
        for (daysPastDue, amount) in cases {
            let due = asOf.adding(days: -daysPastDue)
            try await book.invoice(client, amount, issued: due.adding(days: -10).description, due: due.description)
        }
        // {15,45}: current 1+2 = 3; 1-15: 4+8 = 12; 16-45: 16+32 = 48; 46+: 64+128 = 192.
        try await book.configure(bucketLimits: [15, 45])
        let usd = try await book.ageing("2013-06-30").row("USD")
        #expect(usd.currentMinor == 3)
        #expect(usd.buckets == [
            AgeingBucket(label: "1-15", fromDays: 1, toDays: 15, amountMinor: 12),
            AgeingBucket(label: "16-45", fromDays: 16, toDays: 45, amountMinor: 48),
            AgeingBucket(label: "46+", fromDays: 46, toDays: nil, amountMinor: 192),
        ])
        #expect(usd.totalMinor == 255)
        // {1}: 1-1: 4; 2+: 8+16+32+64+128 = 248.
        try await book.configure(bucketLimits: [1])
        let single = try await book.ageing("2013-06-30").row("USD")
        #expect(single.buckets.map(\.label) == ["1-1", "2+"])
        #expect(single.amounts == [4, 248])
        // Five buckets {7,14,21,28}: 1-7: 4; 8-14: 0; 15-21: 8+16 = 24; 22-28: 0; 29+: 32+64+128 = 224.
        try await book.configure(bucketLimits: [7, 14, 21, 28])
        let many = try await book.ageing("2013-06-30").row("USD")
        #expect(many.buckets.map(\.label) == ["1-7", "8-14", "15-21", "22-28", "29+"])
        #expect(many.amounts == [4, 0, 24, 0, 224])
        #expect(Ageing.buckets(limits: [30, 60, 90]).map(\.label) == ["1-30", "31-60", "61-90", "91+"])
    }

    @Test func partialPaymentsChargesAndWriteOffsMakeTheBalance() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        // Due 2013-05-31: 30 days past due at D, in 1-30.
        let invoice = try await book.invoice(client, 10_000, issued: "2013-05-01", due: "2013-05-31")
        try await book.charge(invoice, 250, on: "2013-06-10")
        try await book.charge(invoice, 999, on: "2013-07-05")        // after D: not counted
        let payment = try await book.payment(client, 4_000, received: "2013-06-01")
        try await book.apply(payment, to: invoice, 3_000, on: "2013-06-01")
        try await book.apply(payment, to: invoice, 1_000, on: "2013-07-02")  // after D: still credit at D
        try await book.writeOff(invoice, 500, on: "2013-06-20")
        try await book.writeOff(invoice, 700, on: "2013-07-10")      // after D
        // Balance at D = 10000 + 250 - 3000 - 500 = 6750; unapplied credit = 4000 - 3000 = 1000.
        let usd = try await book.ageing("2013-06-30").row("USD")
        #expect(usd.totalMinor == 6_750)
        #expect(usd.currentMinor == 0)
        #expect(usd.amounts == [6_750, 0, 0, 0])
        #expect(usd.unappliedCreditMinor == 1_000)
        // On 2013-07-31 (61 days past due): 10000 + 250 + 999 - 4000 - 500 - 700 = 6049, no credit left.
        let later = try await book.ageing("2013-07-31").row("USD")
        #expect(later.amounts == [0, 0, 6_049, 0])
        #expect(later.unappliedCreditMinor == 0)
    }

    @Test func aReversedPaymentRestoresTheBalanceFromItsReversalDate() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        let invoice = try await book.invoice(client, 5_000, issued: "2013-05-01", due: "2013-06-15")
        try await book.pay(client, invoice, 5_000, on: "2013-06-05", reversed: "2013-06-20")
        // A payment left unapplied, reversed later: its credit goes with it.
        try await book.payment(client, 800, received: "2013-06-01", reversed: "2013-06-25")

        // 06-10: paid (balance 0), credit 800.
        let paid = try await book.ageing("2013-06-10").row("USD")
        #expect(paid.totalMinor == 0)
        #expect(paid.unappliedCreditMinor == 800)
        // 06-20, the reversal date: owed again (5 days past due), credit still 800.
        let reversed = try await book.ageing("2013-06-20").row("USD")
        #expect(reversed.totalMinor == 5_000)
        #expect(reversed.amounts == [5_000, 0, 0, 0])
        #expect(reversed.unappliedCreditMinor == 800)
        // D: 15 days past due; both reversals done, no credit.
        let end = try await book.ageing("2013-06-30").row("USD")
        #expect(end.totalMinor == 5_000)
        #expect(end.amounts == [5_000, 0, 0, 0])
        #expect(end.unappliedCreditMinor == 0)
    }

    @Test func aVoidedInvoiceCountsNothingFromItsVoidDate() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        try await book.invoice(client, 3_000, issued: "2013-05-01", due: "2013-05-31", voided: "2013-06-15")
        try await book.invoice(client, 100, issued: "2013-05-01", due: "2013-05-31")
        #expect(try await book.ageing("2013-06-14").row("USD").totalMinor == 3_100)
        #expect(try await book.ageing("2013-06-15").row("USD").totalMinor == 100)
        #expect(try await book.ageing("2013-06-30").row("USD").amounts == [100, 0, 0, 0])
        // Before its issue date an invoice does not exist yet.
        #expect(try await book.ageing("2013-04-30").row("USD").totalMinor == 0)
    }

    @Test func disputedBalanceIsReportedAndStaysInItsBucket() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        // 90 days past due at D (61-90), partly paid, disputed since 06-01 (two open
        // disputes: counted once): disputed 7000 - 1000 = 6000.
        let big = try await book.invoice(client, 7_000, issued: "2013-03-01", due: "2013-04-01")
        try await book.pay(client, big, 1_000, on: "2013-05-01")
        try await book.dispute(big, opened: "2013-06-01")
        try await book.dispute(big, opened: "2013-06-02")
        // Disputed 05-01 .. 06-10 (resolved on 06-10: no longer disputed then).
        let settled = try await book.invoice(client, 2_000, issued: "2013-04-01", due: "2013-05-01")
        try await book.dispute(settled, opened: "2013-05-01", resolved: "2013-06-10")
        // Disputed only after D.
        let late = try await book.invoice(client, 1_500, issued: "2013-06-01", due: "2013-07-01")
        try await book.dispute(late, opened: "2013-07-01")

        let usd = try await book.ageing("2013-06-30").row("USD")
        #expect(usd.disputedMinor == 6_000)
        // 61-90 holds the disputed 6000 too; 31-60: the 2000 (60 days); current 1500.
        #expect(usd.currentMinor == 1_500)
        #expect(usd.amounts == [0, 2_000, 6_000, 0])
        #expect(usd.totalMinor == 9_500)
        // 06-05: both disputed (6000 + 2000); 06-10: the resolved one no longer.
        #expect(try await book.ageing("2013-06-05").row("USD").disputedMinor == 8_000)
        #expect(try await book.ageing("2013-06-10").row("USD").disputedMinor == 6_000)
    }

    @Test func unappliedCreditIsPerCurrencyAndNeverMixed() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        // USD: 1000 not yet due (current). EUR: 2000 10 days past due, a 500 EUR
        // payment not applied, and a 1200 EUR payment applying 1200 of the 2000.
        try await book.invoice(client, 1_000, issued: "2013-06-15", due: "2013-07-15")
        let eur = try await book.invoice(client, 2_000, issued: "2013-05-21", due: "2013-06-20", currency: "EUR")
        try await book.payment(client, 500, received: "2013-06-25", currency: "EUR")
        try await book.pay(client, eur, 1_200, on: "2013-06-26", currency: "EUR")
        // JPY: only an unapplied payment.
        try await book.payment(client, 70, received: "2013-06-01", currency: "JPY")

        let report = try await book.ageing("2013-06-30")
        #expect(report.currencies.map(\.currency) == ["EUR", "JPY", "USD"])
        let eurRow = try report.row("EUR")
        #expect(eurRow.totalMinor == 800)
        #expect(eurRow.currentMinor == 0)
        #expect(eurRow.amounts == [800, 0, 0, 0])
        #expect(eurRow.unappliedCreditMinor == 500)
        let jpy = try report.row("JPY")
        #expect(jpy.totalMinor == 0)
        #expect(jpy.amounts == [0, 0, 0, 0])
        #expect(jpy.unappliedCreditMinor == 70)
        let usd = try report.row("USD")
        #expect(usd.totalMinor == 1_000)
        #expect(usd.currentMinor == 1_000)
        #expect(usd.amounts == [0, 0, 0, 0])
        #expect(usd.unappliedCreditMinor == 0)
    }

    @Test func aReportForAPastDateIgnoresEveryLaterFact() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        let b = try await book.client("B")
        let one = try await book.invoice(a, 10_000, issued: "2013-04-01", due: "2013-05-01")
        let two = try await book.invoice(b, 4_000, issued: "2013-06-01", due: "2013-07-01", currency: "EUR")
        let payment = try await book.pay(a, one, 2_500, on: "2013-06-10")
        try await book.payment(b, 300, received: "2013-06-11", currency: "EUR")
        let dispute = try await book.dispute(one, opened: "2013-06-12")
        let before = try await book.ageing("2013-06-30")
        let beforeByClient = try await book.ageingByClient("2013-06-30")
        let beforeKPIs = try await book.kpis("2013-06-30")

        // Everything below is dated after D.
        try await book.reverse(payment, on: "2013-07-01")
        try await book.pay(a, one, 1_000, on: "2013-07-02")
        try await book.charge(one, 400, on: "2013-07-03")
        try await book.writeOff(one, 600, on: "2013-07-04")
        try await book.void(two, on: "2013-07-05")
        try await book.resolve(dispute, on: "2013-07-06")
        try await book.dispute(one, opened: "2013-07-07")
        try await book.invoice(a, 777, issued: "2013-07-01", due: "2013-07-31")
        try await book.payment(a, 50, received: "2013-07-08")
        try await book.note(a, at: "2013-07-01 12:00:00+00", satisfaction: 1,
                            promise: (amount: 500, currency: "USD", date: "2013-06-20"))

        #expect(try await book.ageing("2013-06-30") == before)
        #expect(try await book.ageingByClient("2013-06-30") == beforeByClient)
        #expect(try await book.kpis("2013-06-30") == beforeKPIs)
        // ... and the later facts do count later.
        #expect(try await book.ageing("2013-07-31") != before)
        let usd = try before.row("USD")
        #expect(usd.totalMinor == 7_500)
        #expect(usd.disputedMinor == 7_500)
        #expect(try before.row("EUR").unappliedCreditMinor == 300)
    }

    @Test func byClientRowsShowEachClientAndCurrencyWithSomethingToShow() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A", name: "Acme Corp")
        let b = try await book.client("B", name: "Bolt Ltd")
        let c = try await book.client("C", name: "Cato Inc")
        // A: USD 1000 40 days past due (31-60) + 500 current, disputed 1000; EUR 200 5 days past due.
        let overdue = try await book.invoice(a, 1_000, issued: "2013-04-21", due: "2013-05-21")
        try await book.dispute(overdue, opened: "2013-06-01")
        try await book.invoice(a, 500, issued: "2013-06-20", due: "2013-07-20")
        try await book.invoice(a, 200, issued: "2013-05-26", due: "2013-06-25", currency: "EUR")
        // B: only unapplied credit. C: paid in full, nothing to show.
        try await book.payment(b, 300, received: "2013-06-02")
        let paid = try await book.invoice(c, 900, issued: "2013-05-01", due: "2013-05-31")
        try await book.pay(c, paid, 900, on: "2013-06-01")

        let report = try await book.ageingByClient("2013-06-30")
        #expect(report.tenant == book.tenant.slug)
        #expect(report.clients.map { "\($0.currency) \($0.clientRef)" } == ["EUR A", "USD A", "USD B"])
        let eurA = report.clients[0]
        #expect(eurA.clientID == a)
        #expect(eurA.clientName == "Acme Corp")
        #expect(eurA.totalMinor == 200)
        #expect(eurA.buckets.map(\.amountMinor) == [200, 0, 0, 0])
        let usdA = report.clients[1]
        #expect(usdA.totalMinor == 1_500)
        #expect(usdA.currentMinor == 500)
        #expect(usdA.buckets.map(\.amountMinor) == [0, 1_000, 0, 0])
        #expect(usdA.disputedMinor == 1_000)
        #expect(usdA.unappliedCreditMinor == 0)
        let usdB = report.clients[2]
        #expect(usdB.clientName == "Bolt Ltd")
        #expect(usdB.totalMinor == 0)
        #expect(usdB.buckets.map(\.amountMinor) == [0, 0, 0, 0])
        #expect(usdB.unappliedCreditMinor == 300)
        // The per-client rows add up to the per-currency report.
        let byCurrency = try await book.ageing("2013-06-30")
        for row in byCurrency.currencies {
            let clients = report.clients.filter { $0.currency == row.currency }
            #expect(clients.reduce(0) { $0 + $1.totalMinor } == row.totalMinor)
            #expect(clients.reduce(0) { $0 + $1.unappliedCreditMinor } == row.unappliedCreditMinor)
            #expect(clients.reduce(0) { $0 + $1.disputedMinor } == row.disputedMinor)
        }
    }

    @Test func aTenantWithNoActivityGetsAZeroRowAndNeverSeesAnotherTenantsBook() async throws {
        let busy = try await ReportingBook.make()
        let client = try await busy.client("A")
        try await busy.invoice(client, 5_000, issued: "2013-05-01", due: "2013-05-31")
        try await busy.payment(client, 100, received: "2013-06-01", currency: "EUR")

        let quiet = try await ReportingBook.make(currency: "GBP")
        let report = try await quiet.ageing("2013-06-30")
        #expect(report.currencies == [AgeingReport.Currency(
            currency: "GBP", totalMinor: 0, currentMinor: 0,
            buckets: Ageing.buckets(limits: [30, 60, 90]).map {
                AgeingBucket(label: $0.label, fromDays: $0.fromDays, toDays: $0.toDays, amountMinor: 0)
            },
            disputedMinor: 0, unappliedCreditMinor: 0)])
        #expect(try await quiet.ageingByClient("2013-06-30").clients.isEmpty)
        #expect(try await busy.ageing("2013-06-30").currencies.map(\.currency) == ["EUR", "USD"])
    }

    @Test func withoutAnAsOfDateTheReportIsForTheTenantsToday() async throws {
        let book = try await ReportingBook.make(timeZone: "Pacific/Kiritimati")
        let report = try await Ageing.compute(database: book.service, tenant: book.tenant)
        let today = try await book.service.withTenant(book.tenant.id) { tx in
            try await Reporting.today(for: book.tenant, in: tx)
        }
        #expect(report.asOf == today)
    }

    @Test func aSuspendedTenantGetsNoReport() async throws {
        let book = try await ReportingBook.make()
        _ = try await TenantRegistry(database: book.service).suspend(book.tenant.slug, actor: "test")
        let error = await #expect(throws: ServiceError.self) { try await book.ageing("2013-06-30") }
        #expect(error?.kind == .suspended)
    }

    @Test func jsonHasDesignsFieldsWithNullForTheOpenBucket() async throws {
        let book = try await ReportingBook.make()
        let client = try await book.client("A")
        try await book.invoice(client, 1_234, issued: "2013-01-01", due: "2013-01-31")
        let object = try ReportingBook.json(try await book.ageing("2013-06-30"))
        #expect(Set(object.keys) == ["tenant", "as_of", "currencies"])
        #expect(object["tenant"] as? String == book.tenant.slug)
        #expect(object["as_of"] as? String == "2013-06-30")
        let currencies = try #require(object["currencies"] as? [[String: Any]])
        #expect(currencies.count == 1)
        let usd = currencies[0]
        #expect(Set(usd.keys) == [
            "currency", "total_minor", "current_minor", "buckets", "disputed_minor", "unapplied_credit_minor",
        ])
        #expect(usd["currency"] as? String == "USD")
        #expect(usd["total_minor"] as? Int == 1_234)
        let buckets = try #require(usd["buckets"] as? [[String: Any]])
        #expect(buckets.map { $0["label"] as? String } == ["1-30", "31-60", "61-90", "91+"])
        for bucket in buckets {
            #expect(Set(bucket.keys) == ["label", "from_days", "to_days", "amount_minor"])
        }
        #expect(buckets.map { $0["from_days"] as? Int } == [1, 31, 61, 91])
        #expect(buckets[0]["to_days"] as? Int == 30)
        #expect(buckets[3]["to_days"] is NSNull)
        #expect(buckets[3]["amount_minor"] as? Int == 1_234)
        // And it reads back.
        let decoded = try JSONDecoder().decode(AgeingReport.self, from: try JSONEncoder().encode(try await book.ageing("2013-06-30")))
        #expect(decoded == (try await book.ageing("2013-06-30")))

        let byClient = try ReportingBook.json(try await book.ageingByClient("2013-06-30"))
        #expect(Set(byClient.keys) == ["tenant", "as_of", "clients"])
        let row = try #require((byClient["clients"] as? [[String: Any]])?.first)
        #expect(Set(row.keys) == [
            "client_id", "client_ref", "client_name", "currency", "total_minor", "current_minor", "buckets",
            "disputed_minor", "unapplied_credit_minor",
        ])
    }
}
