import CollectionsService
import Foundation
import Postgres
import PropertyBased
import Testing
import TestSupport

/// Set-based posting against the per-row oracle (`PerRowPostingOracle`): the same
/// random book in two tenants, the same random payments posted as one set into
/// one and one by one (in the order received) into the other; the outcomes, the
/// applications, the payments and every invoice's balance on every date must be
/// identical.
@Suite struct PaymentPostingPropertyTests {
    static let fixture = Task { try await ServiceFixture.make("posting_property") }
    static let start = ledgerDay("2024-01-01")
    static let currencies = ["USD", "EUR"]
    static let clients = ["P0", "P1", "P2"]

    /// client, currency, amount, issued day, days to due.
    static let invoices = zip(
        Gen.int(in: 0...2), Gen.int(in: 0...1), Gen.int(in: 1...50_000), Gen.int(in: 0...40), Gen.int(in: 0...30)
    ).array(of: 1...12)

    /// kind, a, b, amount, day: what happens to the book before the set is posted.
    static let history = zip(
        Gen.int(in: 0...5), Gen.int(in: 0...20), Gen.int(in: 0...20), Gen.int(in: 1...30_000), Gen.int(in: 0...50)
    ).array(of: 0...10)

    /// kind, a, b, amount, day: the payments of the set.
    static let payments = zip(
        Gen.int(in: 0...9), Gen.int(in: 0...20), Gen.int(in: 0...3), Gen.int(in: 1...40_000), Gen.int(in: 0...60)
    ).array(of: 1...25)

    @Test func postingASetGivesWhatPostingItsPaymentsOneByOneInTheOrderReceivedGives() async throws {
        let fixture = try await Self.fixture.value
        await propertyCheck(count: 60, input: Self.invoices, Self.history, Self.payments) { invoices, history, payments in
            let setBook = try await LedgerBook.make(fixture)
            let oracleBook = try await LedgerBook.make(fixture)
            var prior: [PaymentRequest] = []
            for book in [setBook, oracleBook] {
                prior = try await Self.build(book, invoices: invoices, history: history)
            }
            let requests = Self.requests(payments, invoices: invoices, prior: prior)
            let context = "invoices \(invoices), history \(history), payments \(requests.map(Self.describe))"

            let items = try requests.map { PaymentPosting.Item(key: $0.reference, payment: try Payments.CheckedPayment($0)) }
            let posted = try await fixture.service.withTenant(setBook.tenant.id) { tx in
                try await PaymentPosting.post(items, actor: "prop", tenant: setBook.tenant.id, in: tx)
            }.map(Self.outcome)
            let order = requests.indices.sorted { (requests[$0].receivedOn, $0) < (requests[$1].receivedOn, $1) }
            let oracle = try await PerRowPostingOracle.post(
                order.map { (requests[$0].reference, requests[$0]) }, actor: "prop", tenant: oracleBook.tenant.id,
                database: fixture.service)
            var expected = [PerRowPostingOracle.Outcome?](repeating: nil, count: requests.count)
            for (position, index) in order.enumerated() { expected[index] = oracle[position] }
            #expect(posted == expected.map { $0! }, "outcomes: \(context)")
            #expect(try await Self.ledger(setBook) == Self.ledger(oracleBook), "applications and payments: \(context)")
            for day in stride(from: -1, through: 75, by: 4) {
                let date = Self.start.adding(days: day)
                #expect(try await setBook.balances(asOf: date) == oracleBook.balances(asOf: date), "balances on \(date): \(context)")
            }
        }
    }

    static func outcome(_ outcome: PaymentPosting.Outcome) -> PerRowPostingOracle.Outcome {
        switch outcome {
        case .posted: .posted
        case .replayed: .replayed
        case .usedForAnotherRequest: .usedForAnotherRequest
        case .refused(let error): .refused(error.message)
        }
    }

    static func describe(_ request: PaymentRequest) -> String {
        let target: String
        switch request.allocation {
        case .automatic: target = "auto"
        case .explicit(let items): target = items.map(\.invoiceNumber).joined(separator: "+")
        }
        return "\(request.reference) \(request.clientRef) \(request.amount.amountMinor) \(request.amount.currency) day \(request.receivedOn.days(since: start)) \(target)"
    }

    /// The book: clients, invoices, then voids, disputes, charges, write-offs and
    /// payments (some reversed) before the set. The same calls in each tenant.
    /// Returns the payments posted, to post some of them again in the set.
    static func build(
        _ book: LedgerBook, invoices: [(Int, Int, Int, Int, Int)], history: [(Int, Int, Int, Int, Int)]
    ) async throws -> [PaymentRequest] {
        for (index, ref) in clients.enumerated() {
            _ = try await book.clients.create(NewClient(ref: ref, name: "Client \(ref)", paymentTermsDays: 10 * index), actor: "prop")
        }
        for (number, (client, currency, amount, issued, due)) in invoices.enumerated() {
            _ = try await book.invoices.create(
                NewInvoice(clientRef: clients[client], number: "INV-\(number)",
                           amount: Money(amountMinor: Int64(amount), currency: currencies[currency]),
                           issuedOn: start.adding(days: issued), dueOn: start.adding(days: issued + due)),
                actor: "prop")
        }
        var posted: [PaymentRequest] = []
        for (step, (kind, a, b, amount, day)) in history.enumerated() {
            let number = "INV-\(a % invoices.count)"
            let (client, currency, _, issued, _) = invoices[a % invoices.count]
            let money = Money(amountMinor: Int64(amount), currency: currencies[currency])
            let date = start.adding(days: max(day, issued))
            do {
                switch kind {
                case 0:
                    _ = try await book.invoices.void(number, on: date, reason: "issued in error", actor: "prop")
                case 1:
                    _ = try await book.invoices.dispute(number, on: date, reason: "wrong amount", actor: "prop")
                    if b % 2 == 0 {
                        _ = try await book.invoices.resolveDispute(number, on: date.adding(days: b), outcome: .rejected, resolution: "settled", actor: "prop")
                    }
                case 2:
                    _ = try await book.invoices.addCharge(
                        number, kind: .other, amount: Money(amountMinor: Int64(amount / 10 + 1), currency: money.currency), on: date,
                        actor: "prop")
                case 3:
                    _ = try await book.invoices.writeOff(
                        number, amount: Money(amountMinor: Int64(amount / 4 + 1), currency: money.currency), on: date,
                        reason: "bad debt", actor: "prop")
                default:
                    let request = PaymentRequest(
                        clientRef: clients[client], reference: "OLD-\(step)", amount: money, receivedOn: date,
                        allocation: kind == 4 ? .automatic : .explicit([InvoiceAmount(invoiceNumber: number, amount: money)]))
                    _ = try await book.payments.post(request, idempotencyKey: request.reference, actor: "prop")
                    posted.append(request)
                    if b % 3 == 0 {
                        _ = try await book.payments.reverse(request.reference, on: date.adding(days: b), reason: "bounced", actor: "prop")
                    }
                }
            } catch is ServiceError {
                // Refused in both tenants alike (a void with payments, more than the balance, ...).
            }
        }
        return posted
    }

    /// The set: payments naming their invoice (right or wrong client, currency,
    /// amount, date), naming none, from nobody, and payments posted before
    /// again, alike or not.
    static func requests(
        _ raw: [(Int, Int, Int, Int, Int)], invoices: [(Int, Int, Int, Int, Int)], prior: [PaymentRequest]
    ) -> [PaymentRequest] {
        raw.enumerated().map { index, entry in
            let (kind, a, b, amount, day) = entry
            let date = start.adding(days: day)
            let reference = "PAY-\(index)"
            let clientRef = clients[a % clients.count]
            let currency = currencies[b % 2]
            let money = Money(amountMinor: Int64(amount), currency: currency)
            switch kind {
            case 0...3:
                // Mostly the invoice's own client and currency; kind 2 anyone's, kind 3 no invoice at all.
                let (client, invoiceCurrency, _, _, _) = invoices[a % invoices.count]
                let own = kind < 2 ? Money(amountMinor: Int64(amount), currency: currencies[invoiceCurrency]) : money
                return PaymentRequest(
                    clientRef: kind < 2 ? clients[client] : clientRef, reference: reference, amount: own, receivedOn: date,
                    allocation: .explicit([InvoiceAmount(invoiceNumber: kind == 3 ? "NOPE-\(a)" : "INV-\(a % invoices.count)", amount: own)]))
            case 8 where !prior.isEmpty:
                var again = prior[a % prior.count]
                if b % 2 == 1 { again.amount.amountMinor += 1 }
                return again
            case 9:
                return PaymentRequest(clientRef: "NOBODY", reference: reference, amount: money, receivedOn: date)
            default:
                return PaymentRequest(clientRef: clientRef, reference: reference, amount: money, receivedOn: date)
            }
        }
    }

    /// Every payment and application of the tenant, in words, sorted.
    static func ledger(_ book: LedgerBook) async throws -> [String] {
        try await book.service.withTenant(book.tenant.id, readOnly: true) { tx in
            try await tx.query("""
                SELECT 'payment ' || p.reference || ' ' || c.ref || ' ' || p.amount_minor || ' ' || p.currency || ' '
                       || p.received_on || ' ' || coalesce(p.reversed_on::text, '-') AS line
                FROM payments p JOIN clients c ON c.id = p.client_id
                UNION ALL
                SELECT 'application ' || p.reference || ' ' || i.number || ' ' || a.amount_minor || ' ' || a.applied_on
                FROM payment_applications a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
                UNION ALL
                SELECT 'key ' || k.key FROM idempotency_keys k
                ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) }
        }
    }
}
