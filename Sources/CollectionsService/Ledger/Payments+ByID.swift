public import Foundation
import Postgres

/// Payments by their id, and pages of them, as the HTTP API names them.
extension Payments {
    /// The reference of the payment with `id`, which the ledger's operations take.
    public func reference(of id: UUID) async throws -> String {
        try await database.ledger(tenant, readOnly: true) { tx in
            guard let row = try await tx.query("""
                SELECT reference FROM payments WHERE tenant_id = \(tenant) AND id = \(id)
                """).first else {
                throw ServiceError.notFound("no such payment")
            }
            return try row.decode(String.self, at: 0)
        }
    }

    /// Payments in reference order, `limit` at a time, after the cursor `after`
    /// (a reference): keyset paging, so rows posted meanwhile never shift a page.
    public func list(after cursor: String? = nil, limit: Int = 50) async throws -> Page<Payment> {
        let limit = try Check.limit(limit)
        return try await database.ledger(tenant, readOnly: true) { tx in
            let payments = try await tx.query("""
                SELECT \(unescaped: Payment.columns) FROM payments p
                JOIN clients c ON c.tenant_id = p.tenant_id AND c.id = p.client_id
                WHERE p.tenant_id = \(tenant) AND c.tenant_id = \(tenant) AND p.reference > \(cursor ?? "")
                ORDER BY p.reference LIMIT \(limit + 1)
                """).map(Payment.init(row:))
            return Page.from(payments, limit: limit, key: \.reference)
        }
    }
}
