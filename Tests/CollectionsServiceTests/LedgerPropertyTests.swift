import CollectionsService
import Foundation
import Postgres
import PropertyBased
import Testing
import TestSupport

/// Random sequences of invoices, payments (explicit and automatic), credit
/// applications, reversals, write-offs, charges and voids, checking after every
/// step the invariants the ledger promises, against SQL written here, apart from
/// the service's own.
@Suite struct LedgerPropertyTests {
    static let fixture = Task { try await ServiceFixture.make("ledger_property") }

    enum Operation: CustomStringConvertible {
        case invoice(client: Int, currency: Int, amount: Int64, day: Int)
        case payExplicit(invoice: Int, amount: Int64, day: Int)
        case payAutomatic(client: Int, currency: Int, amount: Int64, day: Int)
        case applyCredit(client: Int, currency: Int, day: Int)
        case reverse(payment: Int, afterDays: Int)
        case writeOff(invoice: Int, amount: Int64?, day: Int)
        case charge(invoice: Int, amount: Int64, day: Int)
        case void(invoice: Int, day: Int)

        /// Decodes six random integers into an operation, so the generator stays a
        /// plain (shrinkable) array of integer tuples.
        init(_ raw: (Int, Int, Int, Int, Int, Int)) {
            let (kind, a, b, amount, dayNumber, flag) = raw
            let money = Int64(amount)
            switch kind {
            case 0...2: self = .invoice(client: a % 2, currency: b % 2, amount: money * 3, day: dayNumber)
            case 3...4: self = .payExplicit(invoice: a, amount: money, day: dayNumber)
            case 5...6: self = .payAutomatic(client: a % 2, currency: b % 2, amount: money * 2, day: dayNumber)
            case 7: self = .applyCredit(client: a % 2, currency: b % 2, day: dayNumber)
            case 8: self = .reverse(payment: a, afterDays: dayNumber % 20)
            case 9: self = .writeOff(invoice: a, amount: flag == 0 ? nil : money / 2 + 1, day: dayNumber)
            case 10: self = .charge(invoice: a, amount: money / 10 + 1, day: dayNumber)
            default: self = .void(invoice: a, day: dayNumber)
            }
        }

        var description: String {
            switch self {
            case let .invoice(c, cur, amount, day): "invoice(client \(c), cur \(cur), \(amount), day \(day))"
            case let .payExplicit(i, amount, day): "payExplicit(invoice \(i), \(amount), day \(day))"
            case let .payAutomatic(c, cur, amount, day): "payAutomatic(client \(c), cur \(cur), \(amount), day \(day))"
            case let .applyCredit(c, cur, day): "applyCredit(client \(c), cur \(cur), day \(day))"
            case let .reverse(p, after): "reverse(payment \(p), +\(after))"
            case let .writeOff(i, amount, day): "writeOff(invoice \(i), \(amount.map(String.init) ?? "all"), day \(day))"
            case let .charge(i, amount, day): "charge(invoice \(i), \(amount), day \(day))"
            case let .void(i, day): "void(invoice \(i), day \(day))"
            }
        }
    }

    static let operations = zip(
        Gen.int(in: 0...12), Gen.int(in: 0...40), Gen.int(in: 0...3), Gen.int(in: 1...20_000),
        Gen.int(in: 0...60), Gen.int(in: 0...1)
    ).array(of: 1...30)

    @Test func randomSequencesKeepTheLedgerInvariants() async throws {
        let fixture = try await Self.fixture.value
        await propertyCheck(count: 25, input: Self.operations) { raw in
            let book = try await LedgerBook.make(fixture)
            var run = Run(book: book)
            try await run.setUp()
            for (step, operation) in raw.map(Operation.init).enumerated() {
                try await run.perform(operation, step: step)
            }
            try await run.checkInvariants(after: "the whole sequence")
        }
    }

    /// One sequence against one fresh tenant, remembering what it created.
    struct Run {
        let book: LedgerBook
        let start = ledgerDay("2024-01-01")
        let currencies = ["USD", "EUR"]
        var invoices: [String] = []
        var payments: [(reference: String, receivedOn: CalendarDate)] = []
        var counter = 0
        var log: [String] = []

        init(book: LedgerBook) { self.book = book }

        func date(_ n: Int) -> CalendarDate { start.adding(days: n) }

        mutating func setUp() async throws {
            for ref in ["P0", "P1"] {
                _ = try await book.clients.create(NewClient(ref: ref, name: "Client \(ref)", paymentTermsDays: 15), actor: "prop")
            }
        }

        mutating func perform(_ operation: Operation, step: Int) async throws {
            counter += 1
            log.append(operation.description)
            let entryDate: CalendarDate
            switch operation {
            case let .invoice(_, _, _, n), let .payExplicit(_, _, n), let .payAutomatic(_, _, _, n),
                 let .applyCredit(_, _, n), let .writeOff(_, _, n), let .charge(_, _, n), let .void(_, n):
                entryDate = date(n)
            case let .reverse(p, after):
                guard !payments.isEmpty else { return }
                entryDate = payments[p % payments.count].receivedOn.adding(days: after)
            }
            // Balances the day before the entry, which the entry must not change.
            let earlier = try await book.balances(asOf: entryDate.adding(days: -1))
            let fingerprint = try await book.fingerprint()
            let succeeded: Bool
            do {
                try await apply(operation, on: entryDate)
                succeeded = true
            } catch let error as ServiceError {
                // A refusal is fine (over-application, void with payments, ...) as
                // long as it is one of the business refusals and changed nothing.
                #expect([ServiceError.Kind.refused, .conflict, .invalid].contains(error.kind), "\(error) after \(log)")
                #expect(try await book.fingerprint() == fingerprint, "refusal changed something: \(log)")
                succeeded = false
            }
            let later = try await book.balances(asOf: entryDate.adding(days: -1))
            #expect(later == earlier, "an entry dated \(entryDate) changed balances of \(entryDate.adding(days: -1)): \(log)")
            if succeeded, step % 5 == 4 { try await checkInvariants(after: "step \(step)") }
        }

        mutating func apply(_ operation: Operation, on date: CalendarDate) async throws {
            let actor = "prop"
            switch operation {
            case let .invoice(client, currency, amount, _):
                let number = "INV-\(counter)"
                _ = try await book.invoices.create(
                    NewInvoice(clientRef: "P\(client)", number: number,
                               amount: Money(amountMinor: amount, currency: currencies[currency]), issuedOn: date),
                    actor: actor)
                invoices.append(number)
            case let .payExplicit(index, amount, _):
                guard !invoices.isEmpty else { return }
                let invoice = try await book.invoices.get(invoices[index % invoices.count], asOf: date)
                let reference = "PAY-\(counter)"
                let money = Money(amountMinor: amount, currency: invoice.invoice.currency)
                _ = try await book.payments.post(
                    PaymentRequest(clientRef: invoice.invoice.clientRef, reference: reference, amount: money, receivedOn: date,
                                   allocation: .explicit([InvoiceAmount(invoiceNumber: invoice.invoice.number, amount: money)])),
                    idempotencyKey: reference, actor: actor)
                payments.append((reference, date))
            case let .payAutomatic(client, currency, amount, _):
                let reference = "PAY-\(counter)"
                _ = try await book.payments.post(
                    PaymentRequest(clientRef: "P\(client)", reference: reference,
                                   amount: Money(amountMinor: amount, currency: currencies[currency]), receivedOn: date),
                    idempotencyKey: reference, actor: actor)
                payments.append((reference, date))
            case let .applyCredit(client, currency, _):
                _ = try await book.payments.applyCredit(clientRef: "P\(client)", currency: currencies[currency], on: date, actor: actor)
            case let .reverse(index, _):
                _ = try await book.payments.reverse(payments[index % payments.count].reference, on: date, reason: "bounced", actor: actor)
            case let .writeOff(index, amount, _):
                guard !invoices.isEmpty else { return }
                let number = invoices[index % invoices.count]
                let currency = try await book.invoices.get(number, asOf: date).invoice.currency
                _ = try await book.invoices.writeOff(
                    number, amount: amount.map { Money(amountMinor: $0, currency: currency) }, on: date, reason: "bad debt",
                    actor: actor)
            case let .charge(index, amount, _):
                guard !invoices.isEmpty else { return }
                let number = invoices[index % invoices.count]
                let currency = try await book.invoices.get(number, asOf: date).invoice.currency
                _ = try await book.invoices.addCharge(
                    number, kind: .other, amount: Money(amountMinor: amount, currency: currency), on: date, actor: actor)
            case let .void(index, _):
                guard !invoices.isEmpty else { return }
                _ = try await book.invoices.void(invoices[index % invoices.count], on: date, reason: "issued in error", actor: actor)
            }
        }

        /// The ledger's promises, checked with SQL of this test's own.
        func checkInvariants(after what: String) async throws {
            let context = "\(what): \(log)"
            let violations = try await book.service.withTenant(book.tenant.id) { tx in
                try await tx.query("""
                    -- Every date anything happened on, and the day before the first.
                    WITH dates AS (
                        SELECT issued_on AS d FROM invoices UNION SELECT voided_on FROM invoices WHERE voided_on IS NOT NULL
                        UNION SELECT charged_on FROM invoice_charges UNION SELECT applied_on FROM payment_applications
                        UNION SELECT received_on FROM payments UNION SELECT reversed_on FROM payments WHERE reversed_on IS NOT NULL
                        UNION SELECT written_off_on FROM write_offs UNION SELECT DATE '2023-12-31'
                    ), balances AS (
                        SELECT dates.d, i.id, i.number,
                            CASE WHEN i.voided_on <= dates.d OR i.issued_on > dates.d THEN 0 ELSE
                                i.amount_minor
                                + (SELECT coalesce(sum(amount_minor), 0) FROM invoice_charges c
                                   WHERE c.invoice_id = i.id AND c.charged_on <= dates.d)
                                - (SELECT coalesce(sum(a.amount_minor), 0) FROM payment_applications a
                                   JOIN payments p ON p.id = a.payment_id
                                   WHERE a.invoice_id = i.id AND a.applied_on <= dates.d
                                     AND NOT coalesce(p.reversed_on <= dates.d, false))
                                - (SELECT coalesce(sum(amount_minor), 0) FROM write_offs w
                                   WHERE w.invoice_id = i.id AND w.written_off_on <= dates.d)
                            END AS balance
                        FROM dates CROSS JOIN invoices i
                    )
                    SELECT 'negative balance of ' || number || ' on ' || d || ': ' || balance FROM balances WHERE balance < 0
                    UNION ALL
                    SELECT 'payment ' || p.reference || ' over-applied' FROM payments p
                    WHERE (SELECT coalesce(sum(amount_minor), 0) FROM payment_applications a WHERE a.payment_id = p.id) > p.amount_minor
                    UNION ALL
                    SELECT 'application across currencies' FROM payment_applications a
                    JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
                    WHERE p.currency <> i.currency OR p.client_id <> i.client_id OR a.applied_on < p.received_on
                    UNION ALL
                    SELECT 'application to a void invoice ' || i.number FROM payment_applications a
                    JOIN invoices i ON i.id = a.invoice_id JOIN payments p ON p.id = a.payment_id
                    WHERE i.voided_on IS NOT NULL
                      AND (p.reversed_on IS NULL OR (p.reversed_on > i.voided_on AND a.applied_on < p.reversed_on))
                    """).map { try $0.decode(String.self, at: 0) }
            }
            #expect(violations.isEmpty, "\(violations) after \(context)")

            // The service's balances add up to the ledger's totals on every date.
            for n in stride(from: -1, through: 90, by: 13) {
                let date = date(n)
                let listed = try await book.balances(asOf: date)
                let total = try await book.service.withTenant(book.tenant.id) { tx in
                    try await tx.query("""
                        SELECT i.currency,
                            sum(i.amount_minor)
                            + coalesce(sum((SELECT sum(amount_minor) FROM invoice_charges c
                                            WHERE c.invoice_id = i.id AND c.charged_on <= \(date))), 0)
                            - coalesce(sum((SELECT sum(a.amount_minor) FROM payment_applications a JOIN payments p ON p.id = a.payment_id
                                            WHERE a.invoice_id = i.id AND a.applied_on <= \(date)
                                              AND (p.reversed_on IS NULL OR p.reversed_on > \(date)))), 0)
                            - coalesce(sum((SELECT sum(amount_minor) FROM write_offs w
                                            WHERE w.invoice_id = i.id AND w.written_off_on <= \(date))), 0) AS total
                        FROM invoices i
                        WHERE i.issued_on <= \(date) AND (i.voided_on IS NULL OR i.voided_on > \(date))
                        GROUP BY i.currency
                        """).decode((String, Int64).self)
                }
                var expected: [String: Int64] = [:]
                for (currency, amount) in total where amount != 0 { expected[currency] = amount }
                var summed: [String: Int64] = [:]
                for (_, balance) in listed where balance.amountMinor != 0 { summed[balance.currency, default: 0] += balance.amountMinor }
                #expect(summed == expected, "sum of balances on \(date) after \(context)")
            }
        }
    }
}

// MARK: - Shared by the ledger suites

func ledgerDay(_ text: String) -> CalendarDate { CalendarDate(text)! }

func ledgerUSD(_ text: String) -> Money { try! Money(parsing: text, currency: "USD", sign: .any) }

/// A fresh tenant of a suite's database with the ledger's entry points.
struct LedgerBook: Sendable {
    let service: CollectionsDatabase
    let tenant: Tenant
    let clients: Clients
    let invoices: Invoices
    let payments: Payments

    static func make(_ fixture: ServiceFixture) async throws -> LedgerBook {
        let tenant = try await fixture.tenant("ledger")
        return LedgerBook(
            service: fixture.service, tenant: tenant, clients: Clients(database: fixture.service, tenant: tenant.id),
            invoices: Invoices(database: fixture.service, tenant: tenant.id),
            payments: Payments(database: fixture.service, tenant: tenant.id))
    }

    func suspend() async throws { _ = try await TenantRegistry(database: service).suspend(tenant.slug, actor: "test") }
    func resume() async throws { _ = try await TenantRegistry(database: service).resume(tenant.slug, actor: "test") }

    /// A digest of every row the tenant has, to show that a refusal changed nothing.
    func fingerprint() async throws -> String {
        try await service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT count(*) || ':' || md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM (
                    SELECT 'client ' || t::text AS r FROM clients t
                    UNION ALL SELECT 'invoice ' || t::text FROM invoices t
                    UNION ALL SELECT 'charge ' || t::text FROM invoice_charges t
                    UNION ALL SELECT 'payment ' || t::text FROM payments t
                    UNION ALL SELECT 'application ' || t::text FROM payment_applications t
                    UNION ALL SELECT 'write-off ' || t::text FROM write_offs t
                    UNION ALL SELECT 'dispute ' || t::text FROM disputes t
                    UNION ALL SELECT 'key ' || t::text FROM idempotency_keys t
                    UNION ALL SELECT 'audit ' || t::text FROM audit_log t
                ) rows
                """).scalar(String.self) ?? ""
        }
    }

    struct AuditRow { var action: String; var actor: String; var entityID: String?; var before: String?; var after: String? }

    func audit(entity: String) async throws -> [AuditRow] {
        try await service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT action, actor, entity_id, before::text, after::text FROM audit_log
                WHERE entity = \(entity) ORDER BY at, id
                """).map {
                AuditRow(action: try $0["action"], actor: try $0["actor"], entityID: try $0["entity_id"],
                         before: try $0["before"], after: try $0["after"])
            }
        }
    }

    /// Every invoice's non-zero balance as of `date`, through the service's list (all pages).
    func balances(asOf date: CalendarDate) async throws -> [String: Money] {
        var result: [String: Money] = [:]
        var cursor: String?
        repeat {
            let page = try await invoices.list(InvoiceFilter(asOf: date), after: cursor, limit: 100)
            for state in page.items where state.balance.amountMinor != 0 { result[state.invoice.number] = state.balance }
            cursor = page.nextCursor
        } while cursor != nil
        return result
    }

    @discardableResult
    func client(_ ref: String, terms: Int = 30) async throws -> Client {
        try await clients.create(NewClient(ref: ref, name: "Client \(ref)", paymentTermsDays: terms), actor: "test")
    }

    @discardableResult
    func invoice(
        _ number: String, client: String, amount: String, currency: String = "USD", issued: String = "2024-01-01",
        due: String? = nil
    ) async throws -> Invoice {
        try await invoices.create(
            NewInvoice(clientRef: client, number: number, amount: try Money(parsing: amount, currency: currency),
                       issuedOn: ledgerDay(issued), dueOn: due.map(ledgerDay)),
            actor: "test")
    }
}
