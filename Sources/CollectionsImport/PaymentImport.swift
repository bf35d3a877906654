import CollectionsService
import Foundation
import Postgres

/// `client_ref,reference,currency,amount,received_on,invoice_number`: payments,
/// posted through the ledger's one posting path (`PaymentPosting`, as
/// `Payments.post` posts them) with the reference as the idempotency key: posted
/// once, the same row again changes nothing, a row with the same reference and
/// other details is bad. With an invoice number the whole amount goes to that
/// invoice; without one it goes to the client's oldest-due open invoices first
/// and the rest stays unapplied credit.
///
/// The file is checked here for what needs no ledger (known client and currency,
/// a reference once, an amount); where the money may go, the ledger decides, and
/// what it refuses is a bad row with its reason.
enum PaymentImport {
    static func check(_ context: ImportContext) async throws {
        try await context.record(
            from: """
                \(context.stagedWithClientAndCurrency)
                LEFT JOIN \(unescaped: ImportCheck.duplicates(of: "reference")) d ON d.reference = s.reference
                """,
            [.knownClient, .knownCurrency, ImportCheck.unique("reference", "payment reference")] + ImportCheck.amount("amount"))
    }

    /// Posts the good rows, a set of whole clients at a time (`paymentsPerSet`;
    /// a client's payments are never split, as each must see the book as the ones
    /// received before it left it), in client ref order
    /// (the order `PostingBook` locks in, so concurrent imports queue rather than
    /// deadlock). A row the ledger refuses is recorded as bad and changes nothing.
    static func post(_ context: inout ImportContext) async throws -> (inserted: Int, unchanged: Int) {
        let tx = context.tx
        try await tx.simpleQuery("""
            DECLARE import_payments NO SCROLL CURSOR FOR
            SELECT s.line, s.client_ref, s.reference, s.currency, \(ImportCheck.minor("amount")) AS amount_minor,
                   s.received_on, s.invoice_number
            FROM import_stage s
            JOIN \(ImportCheck.currencies) cu ON cu.code = s.currency
            WHERE \(ImportContext.good)
            ORDER BY s.client_ref, s.received_on, s.line
            """)
        var inserted = 0
        var unchanged = 0
        var done = 0
        var set: [(line: Int, named: Bool, item: PaymentPosting.Item)] = []
        var rejects: [(line: Int, column: String?, reason: String)] = []

        func flush(_ context: inout ImportContext) async throws {
            guard !set.isEmpty else { return }
            let outcomes = try await PaymentPosting.post(
                set.map(\.item), actor: context.actor, tenant: context.tenant.id, in: tx)
            for (row, outcome) in zip(set, outcomes) {
                switch outcome {
                case .posted: inserted += 1
                case .replayed: unchanged += 1
                case .usedForAnotherRequest:
                    rejects.append((row.line, "reference", "payment \(row.item.key) was already posted with different details"))
                case .refused(let error):
                    rejects.append((row.line, row.named ? "invoice_number" : nil, error.message))
                }
            }
            done += set.count
            set.removeAll(keepingCapacity: true)
            try await record(rejects, context)
            rejects.removeAll()
            context.progress(ImportProgress(phase: .writing, rows: done, bytesRead: context.fileSize ?? 0, totalBytes: context.fileSize))
        }

        while true {
            let rows = try await tx.simpleQuery("FETCH 2000 FROM import_payments")
            if rows.isEmpty { break }
            for row in rows {
                let line: Int = try row["line"]
                let clientRef: String = try row["client_ref"]
                let reference: String = try row["reference"]
                let invoice: String? = try row["invoice_number"]
                let amount = Money(amountMinor: try row["amount_minor"], currency: try row["currency"])
                if set.count >= context.paymentsPerSet, let last = set.last, last.item.payment.request.clientRef != clientRef {
                    try await flush(&context)
                }
                let request = PaymentRequest(
                    clientRef: clientRef, reference: reference, amount: amount, receivedOn: try row["received_on"],
                    allocation: invoice.map { .explicit([InvoiceAmount(invoiceNumber: $0, amount: amount)]) } ?? .automatic)
                do {
                    set.append((line, invoice != nil, PaymentPosting.Item(key: reference, payment: try Payments.CheckedPayment(request))))
                } catch let error as ServiceError {
                    rejects.append((line, nil, error.message))
                }
            }
        }
        try await flush(&context)
        try await record(rejects, context)
        try await tx.simpleQuery("CLOSE import_payments")
        return (inserted, unchanged)
    }

    private static func record(_ rejects: [(line: Int, column: String?, reason: String)], _ context: ImportContext) async throws {
        guard !rejects.isEmpty else { return }
        try await context.tx.execute("""
            INSERT INTO import_rejects (line, position, column_name, reason)
            SELECT u.line, u.position, u.column_name, u.reason
            FROM unnest(\(rejects.map(\.line)), \(rejects.map { context.position($0.column ?? "") }),
                        \(rejects.map(\.column)), \(rejects.map(\.reason))) AS u(line, position, column_name, reason)
            """)
    }
}
