import Foundation
import Postgres

extension Invoices {
    /// Every dispute of the client's invoices, newest opened first: a client's
    /// page shows them together rather than invoice by invoice.
    public func disputes(clientRef: String) async throws -> [Dispute] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try Self.disputes(
                invoices: try await tx.query(Self.clientInvoicesSQL(tenant, client: client.id)),
                disputes: try await tx.query(Self.clientDisputesSQL(tenant, client: client.id)))
        }
    }

    /// The client's invoices, for their disputes' numbers and currencies.
    static func clientInvoicesSQL(_ tenant: UUID, client: UUID) -> SQL {
        """
        SELECT \(unescaped: Invoice.columns) FROM invoices i
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
        WHERE i.tenant_id = \(tenant) AND i.client_id = \(client)
        """
    }

    /// The disputes of the invoices of `clientInvoicesSQL`, newest opened first.
    static func clientDisputesSQL(_ tenant: UUID, client: UUID) -> SQL {
        """
        SELECT \(unescaped: Dispute.columns), d.invoice_id FROM disputes d
        WHERE d.tenant_id = \(tenant) AND d.invoice_id IN (SELECT x.id FROM (\(clientInvoicesSQL(tenant, client: client))) x)
        ORDER BY d.opened_on DESC, d.created_at DESC
        """
    }

    /// The disputes read from the rows of `clientInvoicesSQL` and `clientDisputesSQL`.
    static func disputes(invoices: PostgresRows, disputes: PostgresRows) throws -> [Dispute] {
        let byID = Dictionary(uniqueKeysWithValues: try invoices.map(Invoice.init(row:)).map { ($0.id, $0) })
        return try disputes.compactMap { row in
            guard let invoice = byID[try row["invoice_id"]] else { return nil }
            return try Dispute(row: row, invoice: invoice)
        }
    }
}
