import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct PaymentTests {
    static let fixture = Task { try await ServiceFixture.make("payments") }

    func book() async throws -> LedgerBook {
        let book = try await LedgerBook.make(Self.fixture.value)
        try await book.client("ACME", terms: 30)
        return book
    }

    func pay(
        _ book: LedgerBook, _ reference: String, _ amount: Money, on date: String, client: String = "ACME",
        _ allocation: Allocation = .automatic, key: String? = nil
    ) async throws -> PaymentSummary {
        try await book.payments.post(
            PaymentRequest(clientRef: client, reference: reference, amount: amount, receivedOn: ledgerDay(date),
                           method: "wire", allocation: allocation),
            idempotencyKey: key ?? reference, actor: "cashier")
    }

    @Test func postsAndAppliesToTheInvoicesGiven() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        try await book.invoice("INV-2", client: "ACME", amount: "50.00")
        let posted = try await pay(book, "CHQ-1", ledgerUSD("90.00"), on: "2024-01-20", .explicit([
            InvoiceAmount(invoiceNumber: "INV-2", amount: ledgerUSD("50.00")),
            InvoiceAmount(invoiceNumber: "INV-1", amount: ledgerUSD("25.00")),
        ]))
        #expect(posted.payment.reference == "CHQ-1")
        #expect(posted.payment.amount == ledgerUSD("90.00"))
        #expect(posted.payment.method == "wire")
        #expect(posted.applications.map(\.invoiceNumber) == ["INV-2", "INV-1"])
        #expect(posted.applications.map(\.amount) == [ledgerUSD("50.00"), ledgerUSD("25.00")])
        #expect(posted.applications.allSatisfy { $0.appliedOn == ledgerDay("2024-01-20") })
        #expect(posted.unapplied == ledgerUSD("15.00"))
        #expect(try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-20")).balance == ledgerUSD("75.00"))
        #expect(try await book.invoices.get("INV-2", asOf: ledgerDay("2024-01-20")).status == .paid)
        let fetched = try await book.payments.get("CHQ-1", asOf: ledgerDay("2024-01-20"))
        #expect(fetched.payment == posted.payment)
        #expect(fetched.unapplied == posted.unapplied)
        #expect(fetched.applications == posted.applications.sorted { $0.invoiceNumber < $1.invoiceNumber })
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-01-20")) == [ledgerUSD("15.00")])
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-01-19")) == [])
        let audit = try await book.audit(entity: "payment")
        #expect(audit.map(\.action) == ["post"])
        #expect(audit.first?.actor == "cashier")
    }

    @Test func automaticallyPaysTheOldestDueFirstInTheSameCurrencyAndKeepsTheRestAsCredit() async throws {
        let book = try await book()
        try await book.client("OTHER")
        try await book.invoice("LATE", client: "ACME", amount: "30.00", issued: "2024-01-05", due: "2024-02-20")
        try await book.invoice("EARLY", client: "ACME", amount: "40.00", issued: "2024-01-10", due: "2024-02-01")
        try await book.invoice("EURO", client: "ACME", amount: "10.00", currency: "EUR", issued: "2024-01-01", due: "2024-01-15")
        try await book.invoice("FUSS", client: "ACME", amount: "10.00", issued: "2024-01-01", due: "2024-01-10")
        try await book.invoice("THEIRS", client: "OTHER", amount: "10.00", issued: "2024-01-01", due: "2024-01-10")
        try await book.invoice("FUTURE", client: "ACME", amount: "10.00", issued: "2024-04-01", due: "2024-04-02")
        _ = try await book.invoices.dispute("FUSS", on: ledgerDay("2024-01-20"), reason: "quality", actor: "t")

        let posted = try await pay(book, "AUTO-1", ledgerUSD("100.00"), on: "2024-03-01")
        #expect(posted.applications.map(\.invoiceNumber) == ["EARLY", "LATE"])
        #expect(posted.applications.map(\.amount) == [ledgerUSD("40.00"), ledgerUSD("30.00")])
        #expect(posted.unapplied == ledgerUSD("30.00"))
        #expect(try await book.invoices.get("EURO", asOf: ledgerDay("2024-03-01")).balance == Money(amountMinor: 1000, currency: "EUR"))
        #expect(try await book.invoices.get("FUSS", asOf: ledgerDay("2024-03-01")).balance == ledgerUSD("10.00"))
        #expect(try await book.invoices.get("THEIRS", asOf: ledgerDay("2024-03-01")).balance == ledgerUSD("10.00"))

        // Credit applies later, automatically (the future invoice once issued) ...
        let none = try await book.payments.applyCredit(clientRef: "ACME", currency: "USD", on: ledgerDay("2024-03-15"), actor: "t")
        #expect(none.isEmpty)
        let later = try await book.payments.applyCredit(clientRef: "ACME", currency: "USD", on: ledgerDay("2024-04-01"), actor: "t")
        #expect(later.map(\.invoiceNumber) == ["FUTURE"])
        #expect(later.map(\.paymentReference) == ["AUTO-1"])
        #expect(later.first?.appliedOn == ledgerDay("2024-04-01"))
        // ... or explicitly, even to a disputed invoice.
        let explicit = try await book.payments.applyCredit(
            clientRef: "ACME", currency: "USD", on: ledgerDay("2024-04-02"),
            allocation: .explicit([InvoiceAmount(invoiceNumber: "FUSS", amount: ledgerUSD("10.00"))]), actor: "t")
        #expect(explicit.map(\.amount) == [ledgerUSD("10.00")])
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-04-02")) == [ledgerUSD("10.00")])
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-03-31")) == [ledgerUSD("30.00")])
        #expect(try await book.audit(entity: "client").map(\.action).suffix(2) == ["apply_credit", "apply_credit"])
    }

    @Test func creditFromSeveralPaymentsIsUsedOldestFirst() async throws {
        let book = try await book()
        _ = try await pay(book, "OLD", ledgerUSD("5.00"), on: "2024-01-01")
        _ = try await pay(book, "NEW", ledgerUSD("20.00"), on: "2024-01-05")
        try await book.invoice("INV-1", client: "ACME", amount: "12.00", issued: "2024-01-10")
        let applied = try await book.payments.applyCredit(clientRef: "ACME", currency: "USD", on: ledgerDay("2024-01-10"), actor: "t")
        #expect(applied.map(\.paymentReference) == ["OLD", "NEW"])
        #expect(applied.map(\.amount) == [ledgerUSD("5.00"), ledgerUSD("7.00")])
        let tooMuch = await #expect(throws: ServiceError.self) {
            try await book.payments.applyCredit(
                clientRef: "ACME", currency: "USD", on: ledgerDay("2024-01-11"),
                allocation: .explicit([InvoiceAmount(invoiceNumber: "INV-1", amount: ledgerUSD("14.00"))]), actor: "t")
        }
        #expect(tooMuch?.message == "only 13.00 USD is available to apply; cannot apply 14.00 USD")
        #expect(try await book.payments.get("OLD").unapplied == ledgerUSD("0"))
        #expect(try await book.payments.get("NEW").unapplied == ledgerUSD("13.00"))
    }

    @Test func neverAppliesMoreThanAnInvoiceOwesAndARefusalChangesNothing() async throws {
        let book = try await book()
        try await book.invoice("INV-1042", client: "ACME", amount: "120.00")
        let before = try await book.fingerprint()
        let error = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("150.00"), on: "2024-01-10", .explicit([
                InvoiceAmount(invoiceNumber: "INV-1042", amount: ledgerUSD("150.00")),
            ]))
        }
        #expect(error?.kind == .refused)
        #expect(error?.message == "invoice INV-1042 has a balance of 120.00 USD; cannot apply 150.00 USD")
        #expect(try await book.fingerprint() == before)
        let sum = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("10.00"), on: "2024-01-10", .explicit([
                InvoiceAmount(invoiceNumber: "INV-1042", amount: ledgerUSD("11.00")),
            ]))
        }
        #expect(sum?.message == "the amounts to apply total 11.00 USD, more than the payment of 10.00 USD")
        let twice = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("10.00"), on: "2024-01-10", .explicit([
                InvoiceAmount(invoiceNumber: "INV-1042", amount: ledgerUSD("1.00")),
                InvoiceAmount(invoiceNumber: "INV-1042", amount: ledgerUSD("1.00")),
            ]))
        }
        #expect(twice?.kind == .invalid)
        let unknown = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("10.00"), on: "2024-01-10", .explicit([
                InvoiceAmount(invoiceNumber: "INV-9999", amount: ledgerUSD("1.00")),
            ]))
        }
        #expect(unknown?.kind == .notFound)
        #expect(unknown?.message == "no invoice INV-9999")
        let early = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("10.00"), on: "2023-12-01", .explicit([
                InvoiceAmount(invoiceNumber: "INV-1042", amount: ledgerUSD("1.00")),
            ]))
        }
        #expect(early?.message == "invoice INV-1042 is issued on 2024-01-01, after 2023-12-01; apply the money as credit once it is issued")
        let client = await #expect(throws: ServiceError.self) {
            try await pay(book, "BIG", ledgerUSD("10.00"), on: "2024-01-10", client: "NOBODY")
        }
        #expect(client?.message == "no client with ref \"NOBODY\"")
        #expect(try await book.fingerprint() == before)
    }

    @Test func neverAppliesAcrossCurrencies() async throws {
        let book = try await book()
        try await book.invoice("INV-USD", client: "ACME", amount: "10.00")
        let before = try await book.fingerprint()
        let euros = Money(amountMinor: 500, currency: "EUR")
        let error = await #expect(throws: ServiceError.self) {
            try await pay(book, "EUR-1", euros, on: "2024-01-10", .explicit([InvoiceAmount(invoiceNumber: "INV-USD", amount: euros)]))
        }
        #expect(error?.kind == .refused)
        #expect(error?.message == "invoice INV-USD is in USD but the payment is in EUR; amounts are never applied across currencies")
        let mixed = await #expect(throws: ServiceError.self) {
            try await pay(book, "EUR-1", euros, on: "2024-01-10", .explicit([InvoiceAmount(invoiceNumber: "INV-USD", amount: ledgerUSD("1.00"))]))
        }
        #expect(mixed?.message.contains("is in USD but the money applied is in EUR") == true)
        #expect(try await book.fingerprint() == before)
        // Automatic application of euros leaves the dollar invoice alone.
        let credit = try await pay(book, "EUR-2", euros, on: "2024-01-10")
        #expect(credit.applications.isEmpty)
        #expect(credit.unapplied == euros)
    }

    @Test func theSameKeyAndRequestReturnTheStoredResultAndADifferentRequestIsRefused() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        let first = try await pay(book, "REF-1", ledgerUSD("40.00"), on: "2024-01-10", key: "import-line-7")
        let again = try await pay(book, "REF-1", ledgerUSD("40.00"), on: "2024-01-10", key: "import-line-7")
        #expect(again == first)
        let before = try await book.fingerprint()
        let different = await #expect(throws: ServiceError.self) {
            try await pay(book, "REF-1", ledgerUSD("41.00"), on: "2024-01-10", key: "import-line-7")
        }
        #expect(different?.kind == .conflict)
        #expect(different?.message == "idempotency key import-line-7 was already used for a different request; nothing was changed")
        #expect(try await book.fingerprint() == before)
        // The reference is unique too: under another key it is a conflict, not a second payment.
        let reference = await #expect(throws: ServiceError.self) {
            try await pay(book, "REF-1", ledgerUSD("40.00"), on: "2024-01-10", key: "another-key")
        }
        #expect(reference?.kind == .conflict)
        #expect(reference?.message == "a payment with reference REF-1 already exists (posted under another idempotency key)")
        #expect(try await book.fingerprint() == before)
        #expect(try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-10")).balance == ledgerUSD("60.00"))
    }

    @Test func twentyConcurrentPostsWithOneKeyRecordOnePayment() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        let request = PaymentRequest(clientRef: "ACME", reference: "RACE", amount: ledgerUSD("30.00"), receivedOn: ledgerDay("2024-01-10"))
        let results = try await withThrowingTaskGroup(of: PaymentSummary.self) { group in
            for _ in 0..<20 {
                group.addTask { try await book.payments.post(request, idempotencyKey: "one-key", actor: "t") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 20)
        #expect(Set(results.map(\.payment.id)).count == 1)
        #expect(results.allSatisfy { $0 == results[0] })
        let counts = try await book.service.withTenant(book.tenant.id) { tx in
            try await tx.query("""
                SELECT (SELECT count(*) FROM payments), (SELECT count(*) FROM payment_applications),
                       (SELECT count(*) FROM idempotency_keys)
                """).decode((Int, Int, Int).self)[0]
        }
        #expect(counts == (1, 1, 1))
        #expect(try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-10")).balance == ledgerUSD("70.00"))
    }

    @Test func concurrentPaymentsOnOneInvoiceNeverOverApplyIt() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        try await book.invoice("INV-2", client: "ACME", amount: "100.00")
        // Ten explicit payments of 30.00 on INV-1 (only three fit), and ten automatic
        // ones of 30.00 competing for both invoices.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<20 {
                group.addTask {
                    let allocation: Allocation = n % 2 == 0
                        ? .explicit([InvoiceAmount(invoiceNumber: "INV-1", amount: ledgerUSD("30.00"))]) : .automatic
                    do {
                        _ = try await book.payments.post(
                            PaymentRequest(clientRef: "ACME", reference: "C\(n)", amount: ledgerUSD("30.00"),
                                           receivedOn: ledgerDay("2024-01-10"), allocation: allocation),
                            idempotencyKey: "C\(n)", actor: "t")
                        return true
                    } catch let error as ServiceError {
                        #expect(error.kind == .refused, "\(error)")
                        return false
                    } catch {
                        Issue.record(error)
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count >= 10)
        let one = try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-10"))
        let two = try await book.invoices.get("INV-2", asOf: ledgerDay("2024-01-10"))
        #expect(one.balance.amountMinor >= 0)
        #expect(two.balance.amountMinor >= 0)
        #expect(one.appliedMinor <= 10_000)
        #expect(two.appliedMinor <= 10_000)
        let credit = try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-01-10"))
        let succeeded = Int64(outcomes.filter { $0 }.count) * 3000
        #expect(one.appliedMinor + two.appliedMinor + (credit.first?.amountMinor ?? 0) == succeeded)
    }

    @Test func aReversalRestoresWhatThePaymentPaidFromItsDateOn() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        _ = try await pay(book, "BOUNCE", ledgerUSD("120.00"), on: "2024-01-10")
        #expect(try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-10")).status == .paid)
        let reversed = try await book.payments.reverse("BOUNCE", on: ledgerDay("2024-01-20"), reason: "insufficient funds", actor: "t")
        #expect(reversed.reversedOn == ledgerDay("2024-01-20"))
        #expect(reversed.reversalReason == "insufficient funds")
        #expect(try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-19")).balance == ledgerUSD("0"))
        let after = try await book.invoices.get("INV-1", asOf: ledgerDay("2024-01-20"))
        #expect(after.balance == ledgerUSD("100.00"))
        #expect(after.status == .open)
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-01-19")) == [ledgerUSD("20.00")])
        #expect(try await book.payments.unappliedCredit(clientRef: "ACME", asOf: ledgerDay("2024-01-20")) == [])
        #expect(try await book.payments.get("BOUNCE", asOf: ledgerDay("2024-01-20")).unapplied == ledgerUSD("0"))

        let before = try await book.fingerprint()
        let twice = await #expect(throws: ServiceError.self) {
            try await book.payments.reverse("BOUNCE", on: ledgerDay("2024-01-21"), reason: "again", actor: "t")
        }
        #expect(twice?.kind == .conflict)
        #expect(twice?.message == "payment BOUNCE was already reversed on 2024-01-20")
        let unknown = await #expect(throws: ServiceError.self) {
            try await book.payments.reverse("NOPE", on: ledgerDay("2024-01-21"), reason: "x", actor: "t")
        }
        #expect(unknown?.message == "no payment with reference NOPE")
        _ = try await pay(book, "GOOD", ledgerUSD("1.00"), on: "2024-01-10", .explicit([]))
        let early = await #expect(throws: ServiceError.self) {
            try await book.payments.reverse("GOOD", on: ledgerDay("2024-01-09"), reason: "x", actor: "t")
        }
        #expect(early?.kind == .invalid)
        // Reversed money is not credit any more.
        let applied = try await book.payments.applyCredit(clientRef: "ACME", currency: "USD", on: ledgerDay("2024-01-25"), actor: "t")
        #expect(applied.map(\.paymentReference) == ["GOOD"])
        #expect(before != (try await book.fingerprint()))
        let audit = try await book.audit(entity: "payment")
        #expect(audit.map(\.action) == ["post", "reverse", "post"])
        #expect(audit[1].before?.contains("\"reversedOn\"") == false)
        #expect(audit[1].after?.contains("\"reversedOn\": \"2024-01-20\"") == true)
    }

    @Test func aSuspendedTenantCannotPost() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00")
        _ = try await pay(book, "P1", ledgerUSD("1.00"), on: "2024-01-10")
        try await book.suspend()
        for operation in [
            { _ = try await pay(book, "P2", ledgerUSD("1.00"), on: "2024-01-10") },
            { _ = try await pay(book, "P1", ledgerUSD("1.00"), on: "2024-01-10") },
            { _ = try await book.payments.reverse("P1", on: ledgerDay("2024-01-11"), reason: "x", actor: "t") },
            { _ = try await book.payments.applyCredit(clientRef: "ACME", currency: "USD", on: ledgerDay("2024-01-11"), actor: "t") },
            { _ = try await book.payments.get("P1") },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: ServiceError.self) { try await operation() }
            #expect(error?.kind == .suspended)
        }
        try await book.resume()
        #expect(try await book.payments.get("P1").payment.reversedOn == nil)
    }
}
