import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// The database's own guard on applications (sql/0013, sql/functions/
/// payment_applications_check_rows.sql): whatever the service does, an insert
/// that puts a payment on an invoice of another currency, or dates it before the
/// payment was received, is refused, even as one bad row among many.
@Suite struct PaymentApplicationCheckTests {
    static let fixture = Task { try await ServiceFixture.make("application_check") }

    func book() async throws -> (LedgerBook, payment: UUID, usd: UUID, eur: UUID) {
        let book = try await LedgerBook.make(try await Self.fixture.value)
        try await book.client("ACME")
        try await book.invoice("USD-1", client: "ACME", amount: "100.00")
        try await book.invoice("USD-2", client: "ACME", amount: "100.00")
        try await book.invoice("EUR-1", client: "ACME", amount: "100.00", currency: "EUR")
        _ = try await book.payments.post(
            PaymentRequest(clientRef: "ACME", reference: "P-1", amount: ledgerUSD("50.00"), receivedOn: ledgerDay("2024-02-01"),
                           allocation: .explicit([])),
            idempotencyKey: "P-1", actor: "test")
        let ids = try await book.service.withTenant(book.tenant.id, readOnly: true) { tx in
            (try await tx.query("SELECT id FROM payments WHERE reference = 'P-1'").scalar(UUID.self)!,
             try await tx.query("SELECT id FROM invoices WHERE number = 'USD-1'").scalar(UUID.self)!,
             try await tx.query("SELECT id FROM invoices WHERE number = 'EUR-1'").scalar(UUID.self)!)
        }
        return (book, ids.0, ids.1, ids.2)
    }

    func insert(_ book: LedgerBook, _ rows: [(payment: UUID, invoice: UUID, on: String)]) async throws {
        _ = try await book.service.withTenant(book.tenant.id, retry: .never) { tx in
            try await tx.execute("""
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT \(book.tenant.id), u.p, u.i, 100, u.d
                FROM unnest(\(rows.map(\.payment)), \(rows.map(\.invoice)), \(rows.map { ledgerDay($0.on) })) AS u(p, i, d)
                """)
        }
    }

    @Test func oneApplicationAcrossCurrenciesAmongManyRefusesTheInsert() async throws {
        let (book, payment, usd, eur) = try await book()
        let rows = Array(repeating: (payment, usd, "2024-02-01"), count: 50) + [(payment, eur, "2024-02-01")]
        let error = await #expect(throws: PostgresError.self) { try await insert(book, rows) }
        #expect(error?.kind == .checkViolation)
        #expect(error?.constraint == "payment_applications_currency_check")
        #expect(error?.message.contains("payment currency USD does not match invoice currency EUR") == true, "\(String(describing: error))")
    }

    @Test func anApplicationDatedBeforeItsPaymentWasReceivedRefusesTheInsert() async throws {
        let (book, payment, usd, _) = try await book()
        let error = await #expect(throws: PostgresError.self) {
            try await insert(book, [(payment, usd, "2024-02-01"), (payment, usd, "2024-01-31")])
        }
        #expect(error?.constraint == "payment_applications_applied_on_check")
        try await insert(book, [(payment, usd, "2024-02-01"), (payment, usd, "2024-02-02")])
    }

    @Test func anUpdateThatWouldCrossCurrenciesIsRefused() async throws {
        let (book, payment, usd, eur) = try await book()
        try await insert(book, [(payment, usd, "2024-02-01")])
        let error = await #expect(throws: PostgresError.self) {
            _ = try await book.service.withTenant(book.tenant.id, retry: .never) { tx in
                try await tx.execute("UPDATE payment_applications SET invoice_id = \(eur)")
            }
        }
        #expect(error?.constraint == "payment_applications_currency_check")
    }
}
