public import Foundation
public import Postgres

/// Invoices by their id, as the HTTP API names them (`/v1/invoices/{id}`).
extension Invoices {
    /// The invoice and its state as of `asOf` (the tenant's today by default).
    public func get(id: UUID, asOf: CalendarDate? = nil) async throws -> InvoiceState {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tenant, in: tx)
            let number = try await Self.number(of: id, tenant: tenant, in: tx)
            guard let row = try await tx.query("\(LedgerSQL.states(tenant, asOf: date)) WHERE s.number = \(number)").first else {
                throw ServiceError.notFound("no such invoice")
            }
            return try InvoiceState(row: row)
        }
    }

    /// The number of the invoice with `id`, which the ledger's operations take.
    public func number(of id: UUID) async throws -> String {
        try await database.ledger(tenant, readOnly: true) { tx in try await Self.number(of: id, tenant: tenant, in: tx) }
    }

    static func number(of id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> String {
        guard let row = try await tx.query("""
            SELECT number FROM invoices WHERE tenant_id = \(tenant) AND id = \(id)
            """).first else {
            throw ServiceError.notFound("no such invoice")
        }
        return try row.decode(String.self, at: 0)
    }
}
