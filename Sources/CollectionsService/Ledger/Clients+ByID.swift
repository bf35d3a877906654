public import Foundation
import Postgres

/// Clients by their id, as the HTTP API names them (`/v1/clients/{id}`).
///
/// Another tenant's id reads exactly like an id that does not exist: the
/// statement names this tenant, and row-level security stands behind it.
extension Clients {
    public func get(id: UUID) async throws -> Client {
        try await database.ledger(tenant, readOnly: true) { tx in try await Self.find(id: id, tenant: tenant, in: tx) }
    }

    static func find(id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> Client {
        guard let row = try await tx.query(findSQL(id: id, tenant: tenant)).first else {
            throw ServiceError.notFound("no such client")
        }
        return try Client(row: row)
    }

    static func findSQL(id: UUID, tenant: UUID) -> SQL {
        "SELECT \(unescaped: Client.columns) FROM clients c WHERE c.tenant_id = \(tenant) AND c.id = \(id)"
    }
}
