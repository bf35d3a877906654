import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct InvoiceTests {
    static let fixture = Task { try await ServiceFixture.make("invoices") }

    func book() async throws -> LedgerBook {
        let book = try await LedgerBook.make(Self.fixture.value)
        try await book.client("ACME", terms: 30)
        return book
    }

    @Test func dueDateIsGivenOrIssuePlusTheClientsTerms() async throws {
        let book = try await book()
        let byTerms = try await book.invoice("INV-1", client: "ACME", amount: "100.00", issued: "2024-01-15")
        #expect(byTerms.dueOn == ledgerDay("2024-02-14"))
        #expect(byTerms.amount == ledgerUSD("100.00"))
        #expect(byTerms.clientRef == "ACME")
        let given = try await book.invoice("INV-2", client: "ACME", amount: "5", currency: "JPY", issued: "2024-01-15", due: "2024-01-15")
        #expect(given.dueOn == ledgerDay("2024-01-15"))
        #expect(given.amount == Money(amountMinor: 5, currency: "JPY"))
        let withFee = try await book.invoices.create(
            NewInvoice(clientRef: "ACME", number: "INV-3", amount: ledgerUSD("10.00"), issuedOn: ledgerDay("2024-01-01"),
                       lateFee: .percent(basisPointsPerMonth: 150, graceDays: 5)), actor: "t")
        #expect(withFee.lateFee == .percent(basisPointsPerMonth: 150, graceDays: 5))
        #expect(try await book.invoices.get("INV-3").invoice == withFee)
        #expect(try await book.audit(entity: "invoice").map(\.entityID) == ["INV-1", "INV-2", "INV-3"])
    }

    @Test func aDuplicateNumberIsAConflictNamingItAndChangesNothing() async throws {
        let book = try await book()
        try await book.invoice("INV-1042", client: "ACME", amount: "1.00")
        let before = try await book.fingerprint()
        let error = await #expect(throws: ServiceError.self) {
            try await book.invoice("INV-1042", client: "ACME", amount: "2.00")
        }
        #expect(error?.kind == .conflict)
        #expect(error?.message == "invoice number INV-1042 already exists")
        #expect(try await book.fingerprint() == before)
    }

    @Test func refusesWhatCannotBeAnInvoiceAndChangesNothing() async throws {
        let book = try await book()
        let before = try await book.fingerprint()
        func refusal(_ new: NewInvoice) async -> ServiceError? {
            await #expect(throws: ServiceError.self) { try await book.invoices.create(new, actor: "t") }
        }
        let issued = ledgerDay("2024-03-01")
        #expect(await refusal(NewInvoice(clientRef: "NOBODY", number: "I1", amount: ledgerUSD("1"), issuedOn: issued))?.message
                == "no client with ref \"NOBODY\"")
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: "I1", amount: Money(amountMinor: 100, currency: "ZZZ"), issuedOn: issued))?.message
                == "unknown currency \"ZZZ\": use an ISO 4217 code such as USD")
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: "I1", amount: Money(amountMinor: 0, currency: "USD"), issuedOn: issued))?.message
                == "the invoice amount must be greater than 0, not 0.00 USD")
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: "I1", amount: ledgerUSD("1"), issuedOn: issued, dueOn: ledgerDay("2024-02-28")))?.message
                == "invoice I1 would fall due on 2024-02-28, before it is issued on 2024-03-01")
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: " ", amount: ledgerUSD("1"), issuedOn: issued))?.message
                == "the invoice number is required")
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: "I1", amount: ledgerUSD("1"), issuedOn: issued,
                                         lateFee: .percent(basisPointsPerMonth: 0, graceDays: 0)))?.kind == .invalid)
        #expect(await refusal(NewInvoice(clientRef: "ACME", number: "I1", amount: ledgerUSD("1"), issuedOn: issued,
                                         lateFee: .flat(amountMinor: 100, graceDays: 400)))?.message
                == "late-fee grace must be 0-365 days, not 400")
        #expect(try await book.fingerprint() == before)
        let missing = await #expect(throws: ServiceError.self) { try await book.invoices.get("INV-404") }
        #expect(missing?.kind == .notFound)
        #expect(missing?.message == "no invoice INV-404")
    }

    @Test func balanceAndStatusFollowTheDatedEntries() async throws {
        let book = try await book()
        try await book.invoice("INV-1", client: "ACME", amount: "100.00", issued: "2024-01-01", due: "2024-01-31")
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "ACME", reference: "P1", amount: ledgerUSD("30.00"), receivedOn: ledgerDay("2024-02-10")),
            idempotencyKey: "P1", actor: "t")
        _ = try await book.invoices.addCharge("INV-1", kind: .lateFee, amount: ledgerUSD("5.00"), on: ledgerDay("2024-02-15"),
                                              periodKey: "2024-02", actor: "t")
        _ = try await book.invoices.writeOff("INV-1", amount: ledgerUSD("10.00"), on: ledgerDay("2024-03-01"), reason: "goodwill", actor: "t")
        _ = try await book.payments.reverse("P1", on: ledgerDay("2024-03-10"), reason: "cheque bounced", actor: "t")

        func state(_ date: String) async throws -> InvoiceState { try await book.invoices.get("INV-1", asOf: ledgerDay(date)) }
        #expect(try await state("2023-12-31").status == .notIssued)
        #expect(try await state("2023-12-31").balance == ledgerUSD("0"))
        #expect(try await state("2024-01-01").balance == ledgerUSD("100.00"))
        #expect(try await state("2024-01-31").daysPastDue == 0)
        let overdue = try await state("2024-02-09")
        #expect(overdue.daysPastDue == 9)
        #expect(overdue.isOverdue)
        #expect(overdue.status == .open)
        #expect(try await state("2024-02-10").balance == ledgerUSD("70.00"))
        #expect(try await state("2024-02-10").appliedMinor == 3000)
        #expect(try await state("2024-02-15").balance == ledgerUSD("75.00"))
        let writtenOff = try await state("2024-03-01")
        #expect(writtenOff.balance == ledgerUSD("65.00"))
        #expect(writtenOff.writtenOffMinor == 1000)
        #expect(writtenOff.chargesMinor == 500)
        // The reversal restores what the payment paid from its date on, not before.
        #expect(try await state("2024-03-09").balance == ledgerUSD("65.00"))
        let reversed = try await state("2024-03-10")
        #expect(reversed.balance == ledgerUSD("95.00"))
        #expect(reversed.appliedMinor == 0)
        // Paying the rest closes it; a write-off of the rest closes it as written off.
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "ACME", reference: "P2", amount: ledgerUSD("95.00"), receivedOn: ledgerDay("2024-04-01")),
            idempotencyKey: "P2", actor: "t")
        #expect(try await state("2024-04-01").status == .writtenOff)
        try await book.invoice("INV-2", client: "ACME", amount: "10.00", issued: "2024-01-01")
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "ACME", reference: "P3", amount: ledgerUSD("10.00"), receivedOn: ledgerDay("2024-01-05")),
            idempotencyKey: "P3", actor: "t")
        #expect(try await book.invoices.get("INV-2", asOf: ledgerDay("2024-01-05")).status == .paid)
        #expect(try await book.invoices.get("INV-2", asOf: ledgerDay("2024-01-04")).status == .open)
    }

    @Test func listFiltersByClientStatusOverdueAndCurrencyAPageAtATime() async throws {
        let book = try await book()
        try await book.client("BETA")
        try await book.invoice("A-1", client: "ACME", amount: "10.00", issued: "2024-01-01", due: "2024-01-10")
        try await book.invoice("A-2", client: "ACME", amount: "20.00", issued: "2024-01-01", due: "2024-03-01")
        try await book.invoice("A-3", client: "ACME", amount: "30.00", currency: "EUR", issued: "2024-01-01", due: "2024-01-10")
        try await book.invoice("B-1", client: "BETA", amount: "40.00", issued: "2024-01-01", due: "2024-01-10")
        try await book.invoice("B-2", client: "BETA", amount: "50.00", issued: "2024-02-15", due: "2024-03-10")
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "BETA", reference: "PB", amount: ledgerUSD("40.00"), receivedOn: ledgerDay("2024-01-20"),
                           allocation: .explicit([InvoiceAmount(invoiceNumber: "B-1", amount: ledgerUSD("40.00"))])),
            idempotencyKey: "PB", actor: "t")
        _ = try await book.invoices.dispute("A-2", on: ledgerDay("2024-01-15"), reason: "wrong quantity", actor: "t")
        _ = try await book.invoices.void("A-1", on: ledgerDay("2024-02-01"), reason: "duplicate", actor: "t")

        func numbers(_ filter: InvoiceFilter) async throws -> [String] {
            try await book.invoices.list(filter).items.map(\.invoice.number)
        }
        let feb = ledgerDay("2024-02-01")
        #expect(try await numbers(InvoiceFilter(asOf: feb)) == ["A-1", "A-2", "A-3", "B-1", "B-2"])
        #expect(try await numbers(InvoiceFilter(clientRef: "BETA", asOf: feb)) == ["B-1", "B-2"])
        #expect(try await numbers(InvoiceFilter(status: .open, asOf: feb)) == ["A-3"])
        #expect(try await numbers(InvoiceFilter(status: .disputed, asOf: feb)) == ["A-2"])
        #expect(try await numbers(InvoiceFilter(status: .paid, asOf: feb)) == ["B-1"])
        #expect(try await numbers(InvoiceFilter(status: .void, asOf: feb)) == ["A-1"])
        #expect(try await numbers(InvoiceFilter(status: .notIssued, asOf: feb)) == ["B-2"])
        #expect(try await numbers(InvoiceFilter(status: .open, asOf: ledgerDay("2024-01-31"))) == ["A-1", "A-3"])
        #expect(try await numbers(InvoiceFilter(overdueOnly: true, asOf: feb)) == ["A-3"])
        #expect(try await numbers(InvoiceFilter(overdueOnly: true, asOf: ledgerDay("2024-03-02"))) == ["A-2", "A-3"])
        #expect(try await numbers(InvoiceFilter(currency: "EUR", asOf: feb)) == ["A-3"])
        #expect(try await numbers(InvoiceFilter(clientRef: "ACME", currency: "USD", asOf: feb)) == ["A-1", "A-2"])

        let first = try await book.invoices.list(InvoiceFilter(asOf: feb), limit: 2)
        #expect(first.items.map(\.invoice.number) == ["A-1", "A-2"])
        let second = try await book.invoices.list(InvoiceFilter(asOf: feb), after: first.nextCursor, limit: 2)
        #expect(second.items.map(\.invoice.number) == ["A-3", "B-1"])
        let last = try await book.invoices.list(InvoiceFilter(asOf: feb), after: second.nextCursor, limit: 2)
        #expect(last.items.map(\.invoice.number) == ["B-2"])
        #expect(last.nextCursor == nil)

        let unknown = await #expect(throws: ServiceError.self) { try await numbers(InvoiceFilter(clientRef: "GHOST")) }
        #expect(unknown?.message == "no client with ref \"GHOST\"")
        let currency = await #expect(throws: ServiceError.self) { try await numbers(InvoiceFilter(currency: "XYZ")) }
        #expect(currency?.kind == .invalid)
    }

    @Test func voidIsRefusedWhilePaymentsOrWriteOffsStandAndCountsNothingAfter() async throws {
        let book = try await book()
        try await book.invoice("V-1", client: "ACME", amount: "50.00", issued: "2024-01-01")
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "ACME", reference: "PV", amount: ledgerUSD("20.00"), receivedOn: ledgerDay("2024-01-10")),
            idempotencyKey: "PV", actor: "t")
        var before = try await book.fingerprint()
        let paid = await #expect(throws: ServiceError.self) {
            try await book.invoices.void("V-1", on: ledgerDay("2024-01-20"), reason: "error", actor: "t")
        }
        #expect(paid?.kind == .refused)
        #expect(paid?.message == "invoice V-1 has 20.00 USD of payments applied to it; it cannot be voided")
        #expect(try await book.fingerprint() == before)

        _ = try await book.payments.reverse("PV", on: ledgerDay("2024-01-15"), reason: "bounced", actor: "t")
        let early = await #expect(throws: ServiceError.self) {
            try await book.invoices.void("V-1", on: ledgerDay("2024-01-12"), reason: "error", actor: "t")
        }
        #expect(early?.kind == .refused)
        let voided = try await book.invoices.void("V-1", on: ledgerDay("2024-01-20"), reason: "issued in error", actor: "t")
        #expect(voided.voidedOn == ledgerDay("2024-01-20"))
        #expect(voided.voidReason == "issued in error")
        #expect(try await book.invoices.get("V-1", asOf: ledgerDay("2024-01-19")).balance == ledgerUSD("50.00"))
        let after = try await book.invoices.get("V-1", asOf: ledgerDay("2024-01-20"))
        #expect(after.balance == ledgerUSD("0"))
        #expect(after.status == .void)

        before = try await book.fingerprint()
        let twice = await #expect(throws: ServiceError.self) {
            try await book.invoices.void("V-1", on: ledgerDay("2024-01-21"), reason: "again", actor: "t")
        }
        #expect(twice?.kind == .conflict)
        let pay = await #expect(throws: ServiceError.self) {
            try await book.payments.post(
                PaymentRequest(clientRef: "ACME", reference: "PX", amount: ledgerUSD("1.00"), receivedOn: ledgerDay("2024-01-25"),
                               allocation: .explicit([InvoiceAmount(invoiceNumber: "V-1", amount: ledgerUSD("1.00"))])),
                idempotencyKey: "PX", actor: "t")
        }
        #expect(pay?.message == "invoice V-1 was voided on 2024-01-20; nothing can be applied to it")
        let writeOff = await #expect(throws: ServiceError.self) {
            try await book.invoices.writeOff("V-1", on: ledgerDay("2024-01-25"), reason: "x", actor: "t")
        }
        #expect(writeOff?.kind == .refused)
        #expect(try await book.fingerprint() == before)

        try await book.invoice("V-2", client: "ACME", amount: "50.00", issued: "2024-01-01")
        _ = try await book.invoices.writeOff("V-2", amount: ledgerUSD("1.00"), on: ledgerDay("2024-01-02"), reason: "x", actor: "t")
        let written = await #expect(throws: ServiceError.self) {
            try await book.invoices.void("V-2", on: ledgerDay("2024-01-03"), reason: "x", actor: "t")
        }
        #expect(written?.message == "invoice V-2 has 1.00 USD written off; it cannot be voided")
        let beforeIssue = await #expect(throws: ServiceError.self) {
            try await book.invoices.void("V-2", on: ledgerDay("2023-12-31"), reason: "x", actor: "t")
        }
        #expect(beforeIssue?.kind == .invalid)
    }

    @Test func disputesOpenAndResolveOnTheirDates() async throws {
        let book = try await book()
        try await book.invoice("D-1", client: "ACME", amount: "80.00", issued: "2024-01-01")
        let opened = try await book.invoices.dispute("D-1", on: ledgerDay("2024-01-10"), reason: "damaged goods", actor: "t")
        #expect(opened.openedOn == ledgerDay("2024-01-10"))
        #expect(opened.resolvedOn == nil)
        let again = await #expect(throws: ServiceError.self) {
            try await book.invoices.dispute("D-1", on: ledgerDay("2024-01-11"), reason: "again", actor: "t")
        }
        #expect(again?.message == "invoice D-1 is already disputed since 2024-01-10")
        let early = await #expect(throws: ServiceError.self) {
            try await book.invoices.resolveDispute("D-1", on: ledgerDay("2024-01-09"), outcome: .rejected, resolution: "credit", actor: "t")
        }
        #expect(early?.kind == .invalid)
        let resolved = try await book.invoices.resolveDispute("D-1", on: ledgerDay("2024-01-20"), outcome: .rejected, resolution: "the goods were fine", actor: "t")
        #expect(resolved.resolvedOn == ledgerDay("2024-01-20"))
        #expect(resolved.outcome == .rejected)
        #expect(resolved.resolution == "the goods were fine")
        #expect(try await book.invoices.get("D-1", asOf: ledgerDay("2024-01-09")).status == .open)
        #expect(try await book.invoices.get("D-1", asOf: ledgerDay("2024-01-10")).status == .disputed)
        #expect(try await book.invoices.get("D-1", asOf: ledgerDay("2024-01-19")).disputed)
        #expect(try await book.invoices.get("D-1", asOf: ledgerDay("2024-01-20")).status == .open)
        let none = await #expect(throws: ServiceError.self) {
            try await book.invoices.resolveDispute("D-1", on: ledgerDay("2024-01-21"), outcome: .rejected, resolution: "x", actor: "t")
        }
        #expect(none?.message == "invoice D-1 has no open dispute to resolve")
        #expect(try await book.invoices.disputes("D-1") == [resolved])
        let long = await #expect(throws: ServiceError.self) {
            try await book.invoices.dispute("D-1", on: ledgerDay("2024-02-01"), reason: String(repeating: "x", count: 1001), actor: "t")
        }
        #expect(long?.message == "the reason for the dispute is 1001 characters long; at most 1000 are allowed")
    }

    @Test func writeOffsNeverExceedTheBalance() async throws {
        let book = try await book()
        try await book.invoice("W-1", client: "ACME", amount: "120.00", issued: "2024-01-01")
        let partial = try await book.invoices.writeOff("W-1", amount: ledgerUSD("20.00"), on: ledgerDay("2024-02-01"), reason: "discount", actor: "t")
        #expect(partial.amount == ledgerUSD("20.00"))
        let before = try await book.fingerprint()
        let over = await #expect(throws: ServiceError.self) {
            try await book.invoices.writeOff("W-1", amount: ledgerUSD("150.00"), on: ledgerDay("2024-02-02"), reason: "x", actor: "t")
        }
        #expect(over?.kind == .refused)
        #expect(over?.message == "invoice W-1 has a balance of 100.00 USD; cannot write off 150.00 USD")
        // 100.00 is owed on 2024-01-15, but the 20.00 written off on 2024-02-01 is
        // already recorded: only 100.00 can go on 2024-01-15 too, not 120.00.
        let backdated = await #expect(throws: ServiceError.self) {
            try await book.invoices.writeOff("W-1", amount: ledgerUSD("120.00"), on: ledgerDay("2024-01-15"), reason: "x", actor: "t")
        }
        #expect(backdated?.message == "invoice W-1 has a balance of 100.00 USD; cannot write off 120.00 USD")
        let currency = await #expect(throws: ServiceError.self) {
            try await book.invoices.writeOff("W-1", amount: Money(amountMinor: 1, currency: "EUR"), on: ledgerDay("2024-02-02"), reason: "x", actor: "t")
        }
        #expect(currency?.message == "invoice W-1 is in USD; a write-off in EUR cannot be applied to it")
        #expect(try await book.fingerprint() == before)

        let rest = try await book.invoices.writeOff("W-1", on: ledgerDay("2024-03-01"), reason: "uncollectable", actor: "t")
        #expect(rest.amount == ledgerUSD("100.00"))
        let state = try await book.invoices.get("W-1", asOf: ledgerDay("2024-03-01"))
        #expect(state.balance == ledgerUSD("0"))
        #expect(state.status == .writtenOff)
        let nothing = await #expect(throws: ServiceError.self) {
            try await book.invoices.writeOff("W-1", on: ledgerDay("2024-03-02"), reason: "x", actor: "t")
        }
        #expect(nothing?.message == "invoice W-1 has nothing left to write off as of 2024-03-02")
    }

    @Test func chargesAddToTheBalanceOncePerPeriod() async throws {
        let book = try await book()
        try await book.invoice("F-1", client: "ACME", amount: "100.00", issued: "2024-01-01")
        let fee = try await book.invoices.addCharge("F-1", kind: .lateFee, amount: ledgerUSD("1.50"), on: ledgerDay("2024-02-01"),
                                                    periodKey: "2024-02", actor: "worker")
        #expect(fee.amount == ledgerUSD("1.50"))
        let twice = await #expect(throws: ServiceError.self) {
            try await book.invoices.addCharge("F-1", kind: .lateFee, amount: ledgerUSD("1.50"), on: ledgerDay("2024-02-02"),
                                              periodKey: "2024-02", actor: "worker")
        }
        #expect(twice?.kind == .conflict)
        #expect(try await book.invoices.get("F-1", asOf: ledgerDay("2024-01-31")).balance == ledgerUSD("100.00"))
        #expect(try await book.invoices.get("F-1", asOf: ledgerDay("2024-02-01")).balance == ledgerUSD("101.50"))
    }

    @Test func aSuspendedTenantsInvoicesCanNeitherBeReadNorChanged() async throws {
        let book = try await book()
        try await book.invoice("S-1", client: "ACME", amount: "1.00")
        try await book.suspend()
        for operation in [
            { _ = try await book.invoices.get("S-1") },
            { _ = try await book.invoices.list() },
            { _ = try await book.invoice("S-2", client: "ACME", amount: "1.00") },
            { _ = try await book.invoices.void("S-1", on: ledgerDay("2024-01-02"), reason: "x", actor: "t") },
            { _ = try await book.invoices.writeOff("S-1", on: ledgerDay("2024-01-02"), reason: "x", actor: "t") },
            { _ = try await book.invoices.dispute("S-1", on: ledgerDay("2024-01-02"), reason: "x", actor: "t") },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: ServiceError.self) { try await operation() }
            #expect(error?.kind == .suspended)
        }
        try await book.resume()
        #expect(try await book.invoices.get("S-1", asOf: ledgerDay("2024-01-02")).balance == ledgerUSD("1.00"))
    }
}
