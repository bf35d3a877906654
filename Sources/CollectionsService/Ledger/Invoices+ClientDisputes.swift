import Foundation
import Postgres

extension Invoices {
    /// Every dispute of the client's invoices, newest opened first: a client's
    /// page shows them together rather than invoice by invoice.
    public func disputes(clientRef: String) async throws -> [Dispute] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            let invoices = try await tx.query("""
                SELECT \(unescaped: Invoice.columns) FROM invoices i
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
                WHERE i.tenant_id = \(tenant) AND i.client_id = \(client.id)
                """).map(Invoice.init(row:))
            let byID = Dictionary(uniqueKeysWithValues: invoices.map { ($0.id, $0) })
            return try await tx.query("""
                SELECT \(unescaped: Dispute.columns), d.invoice_id FROM disputes d
                WHERE d.tenant_id = \(tenant) AND d.invoice_id = ANY(\(invoices.map(\.id)))
                ORDER BY d.opened_on DESC, d.created_at DESC
                """).compactMap { row in
                guard let invoice = byID[try row["invoice_id"]] else { return nil }
                return try Dispute(row: row, invoice: invoice)
            }
        }
    }
}
