import CollectionsService
import Foundation
import Postgres

/// `client_ref,reference,currency,amount,received_on,invoice_number`: payments,
/// posted through the ledger exactly as `Payments.post` posts them, with the
/// reference as the idempotency key: posted once, the same row again changes
/// nothing, a row with the same reference and other details is bad. With an
/// invoice number the whole amount goes to that invoice; without one it goes to
/// the client's oldest-due open invoices first and the rest stays unapplied credit.
///
/// Payments are posted in the order they were received (then by line), so
/// automatic application sees the book as it stood on each date.
enum PaymentImport {
    static func check(_ context: ImportContext) async throws {
        try await context.record(
            from: """
                \(context.stagedWithClientAndCurrency)
                LEFT JOIN invoices i ON i.tenant_id = \(context.tenant.id) AND i.number = s.invoice_number
                LEFT JOIN \(unescaped: ImportCheck.duplicates(of: "reference")) d ON d.reference = s.reference
                """,
            [
                .knownClient,
                .knownCurrency,
                ImportCheck.unique("reference", "payment reference"),
                ImportCheck(
                    "invoice_number", "s.invoice_number IS NOT NULL AND i.id IS NULL",
                    "format('no invoice %s (import the invoices first)', s.invoice_number)"),
                ImportCheck(
                    "invoice_number", "i.client_id <> c.id",
                    "format('invoice %s is not an invoice of client %s', s.invoice_number, s.client_ref)"),
                ImportCheck(
                    "invoice_number", "i.currency <> s.currency",
                    "format('invoice %s is in %s but the payment is in %s; amounts are never applied across currencies', s.invoice_number, i.currency, s.currency)"),
                ImportCheck(
                    "invoice_number", "i.voided_on IS NOT NULL",
                    "format('invoice %s was voided on %s; nothing can be applied to it', s.invoice_number, i.voided_on)"),
                ImportCheck(
                    "invoice_number", "i.issued_on > s.received_on",
                    "format('invoice %s is issued on %s, after the payment was received on %s', s.invoice_number, i.issued_on, s.received_on)"),
            ] + ImportCheck.amount("amount"))
    }

    /// Posts the good rows, each in a savepoint: a row the ledger refuses (say,
    /// more than the invoice's balance) is recorded as bad and the others go on.
    static func post(_ context: inout ImportContext) async throws -> (inserted: Int, unchanged: Int) {
        let tx = context.tx
        // The posting statements look rows up by key, so the plan that suits one
        // payment suits all, and with the tenant a parameter of the policies
        // (sql/0007) it suits every tenant. Left to choose, PostgreSQL plans the
        // balance check and the invoice lock (both `= ANY($1)`) afresh for every
        // payment: 0.6 ms a payment, three times their running time.
        try await tx.simpleQuery("SET LOCAL plan_cache_mode = force_generic_plan")
        try await tx.simpleQuery("""
            DECLARE import_payments NO SCROLL CURSOR FOR
            SELECT s.line, s.client_ref, s.reference, s.currency, \(ImportCheck.minor("amount")) AS amount_minor,
                   s.received_on, s.invoice_number
            FROM import_stage s
            JOIN \(ImportCheck.currencies) cu ON cu.code = s.currency
            WHERE \(ImportContext.good)
            ORDER BY s.received_on, s.line
            """)
        var inserted = 0
        var unchanged = 0
        var done = 0
        var savepointOpen = false
        while true {
            let rows = try await tx.simpleQuery("FETCH 1000 FROM import_payments")
            if rows.isEmpty { break }
            for row in rows {
                let line: Int = try row["line"]
                let reference: String = try row["reference"]
                let invoice: String? = try row["invoice_number"]
                let amount = Money(amountMinor: try row["amount_minor"], currency: try row["currency"])
                let request = PaymentRequest(
                    clientRef: try row["client_ref"], reference: reference, amount: amount,
                    receivedOn: try row["received_on"],
                    allocation: invoice.map { .explicit([InvoiceAmount(invoiceNumber: $0, amount: amount)]) } ?? .automatic)
                // The previous row's savepoint is released with this one's start: one
                // round trip, not two.
                try await tx.simpleQuery(
                    savepointOpen ? "RELEASE SAVEPOINT import_payment; SAVEPOINT import_payment" : "SAVEPOINT import_payment")
                savepointOpen = true
                let problem: (column: String?, reason: String)?
                do {
                    let checked = try Payments.CheckedPayment(request)
                    switch try await Payments.post(
                        checked, idempotencyKey: reference, actor: context.actor, tenant: context.tenant.id, in: tx)
                    {
                    case .posted: inserted += 1; problem = nil
                    case .replayed: unchanged += 1; problem = nil
                    case .usedForAnotherRequest:
                        problem = ("reference", "payment \(reference) was already posted with different details")
                    }
                } catch let error as ServiceError {
                    problem = (invoice == nil ? nil : "invoice_number", error.message)
                } catch let error as PostgresError where error.kind != .connectionLost && error.kind != .queryCanceled {
                    problem = (invoice == nil ? nil : "invoice_number", ServiceError.constraintViolation(error)?.message ?? error.message)
                }
                if let problem {
                    try await tx.simpleQuery("ROLLBACK TO SAVEPOINT import_payment; RELEASE SAVEPOINT import_payment")
                    savepointOpen = false
                    try await tx.execute("""
                        INSERT INTO import_rejects (line, position, column_name, reason)
                        VALUES (\(line), \(context.position(problem.column ?? "")), \(problem.column), \(problem.reason))
                        """)
                }
            }
            done += rows.count
            context.progress(ImportProgress(phase: .writing, rows: done, bytesRead: context.fileSize ?? 0, totalBytes: context.fileSize))
        }
        if savepointOpen { try await tx.simpleQuery("RELEASE SAVEPOINT import_payment") }
        try await tx.simpleQuery("CLOSE import_payments; RESET plan_cache_mode")
        return (inserted, unchanged)
    }
}
