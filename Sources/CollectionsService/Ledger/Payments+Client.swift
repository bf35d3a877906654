import Foundation
public import Postgres

extension Payments {
    /// The client's payments received by `asOf` (the tenant's today by default),
    /// newest first, at most `limit`, each with what it paid and its unapplied
    /// rest as `get` gives them: a client's page in two statements.
    public func ofClient(_ clientRef: String, asOf: CalendarDate? = nil, limit: Int = 100) async throws -> [PaymentSummary] {
        let limit = try Check.limit(limit)
        return try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tenant, in: tx)
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try Self.summaries(
                payments: try await tx.query(Self.ofClientSQL(tenant, client: client.id, asOf: date, limit: limit)),
                applications: try await tx.query(Self.applicationsSQL(tenant, client: client.id, asOf: date, limit: limit)),
                on: date)
        }
    }

    /// `ofClient`'s payments.
    static func ofClientSQL(_ tenant: UUID, client: UUID, asOf date: CalendarDate, limit: Int) -> SQL {
        """
        SELECT \(unescaped: Payment.columns) FROM payments p
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
        WHERE p.tenant_id = \(tenant) AND p.client_id = \(client) AND p.received_on <= \(date)
        ORDER BY p.received_on DESC, p.reference LIMIT \(limit)
        """
    }

    /// What the payments of `ofClientSQL` paid by `date`, in the order applied.
    static func applicationsSQL(_ tenant: UUID, client: UUID, asOf date: CalendarDate, limit: Int) -> SQL {
        """
        SELECT a.payment_id, i.number, a.amount_minor, a.applied_on FROM payment_applications a
        JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = a.invoice_id
        WHERE a.tenant_id = \(tenant) AND a.applied_on <= \(date)
          AND a.payment_id IN (SELECT s.id FROM (\(ofClientSQL(tenant, client: client, asOf: date, limit: limit))) s)
        ORDER BY a.applied_on, i.number
        """
    }

    /// The summaries read from the rows of `ofClientSQL` and `applicationsSQL`.
    static func summaries(payments rows: PostgresRows, applications: PostgresRows, on date: CalendarDate) throws
        -> [PaymentSummary]
    {
        let payments = try rows.map(Payment.init(row:))
        var applied: [UUID: [PaymentApplication]] = [:]
        let references = Dictionary(uniqueKeysWithValues: payments.map { ($0.id, $0) })
        for row in applications {
            let id: UUID = try row["payment_id"]
            guard let payment = references[id] else { continue }
            applied[id, default: []].append(PaymentApplication(
                paymentReference: payment.reference, invoiceNumber: try row["number"],
                amount: Money(amountMinor: try row["amount_minor"], currency: payment.amount.currency),
                appliedOn: try row["applied_on"]))
        }
        return payments.map { PaymentSummary(of: $0, applications: applied[$0.id] ?? [], on: date) }
    }
}
