package import Foundation
package import Postgres

/// The audit trail: who changed what, when, with the values before and after.
/// Written in the same transaction as the change it records.
package enum Audit {
    package static func record(
        _ tx: PostgresConnection, tenant: UUID, actor: String, action: String, entity: String,
        entityID: String?, before: (any Encodable)?, after: (any Encodable)?
    ) async throws {
        try await tx.execute("""
            INSERT INTO audit_log (tenant_id, actor, action, entity, entity_id, before, after)
            VALUES (\(tenant), \(String(actor.prefix(200))), \(action), \(entity), \(entityID),
                    \(try json(before)), \(try json(after)))
            """)
    }

    /// One row per entity of a set-based change (a posting), in one statement.
    package static func record(
        _ tx: PostgresConnection, tenant: UUID, actor: String, action: String, entity: String,
        entityIDs: [String], after: [JSONText]
    ) async throws {
        guard !entityIDs.isEmpty else { return }
        try await tx.insert("""
            INSERT INTO audit_log (tenant_id, actor, action, entity, entity_id, after)
            SELECT \(tenant), \(String(actor.prefix(200))), \(action), \(entity), u.entity_id, u.after
            FROM unnest(\(entityIDs), \(after)) AS u(entity_id, after)
            """)
    }

    package static func json(_ value: (any Encodable)?) throws -> JSONText? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return JSONText(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
