public import Foundation
import Postgres

/// A tenant's record of what its clients agreed to be contacted by. Revoking is
/// immediate: the gate reads the latest record when it plans a day and the
/// sender when it sends.
public struct ContactPermissions: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    public func record(_ change: ContactPermission.Change, clientRef: String, actor: String) async throws -> ContactPermission {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try await Self.record(change, client: client, tenant: tenant, actor: actor, in: tx)
        }
    }

    /// The client's records, newest first.
    public func list(clientRef: String) async throws -> [ContactPermission] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try await tx.query("""
                SELECT \(unescaped: ContactPermission.columns)
                FROM contact_permissions p JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
                WHERE p.tenant_id = \(tenant) AND p.client_id = \(client.id)
                ORDER BY p.recorded_at DESC, p.created_at DESC
                """).map(ContactPermission.init(row:))
        }
    }

    static func record(
        _ change: ContactPermission.Change, client: Client, tenant: UUID, actor: String, in tx: PostgresConnection
    ) async throws -> ContactPermission {
        let source = try Check.text(change.source, "the source", 1...200)
        let address = try Check.optionalText(change.address, "the address", 1...254)
        let row = try await tx.query("""
            WITH p AS (
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                VALUES (\(tenant), \(client.id), \(change.channel.rawValue), \(address), \(change.granted), \(source),
                        coalesce(\(change.recordedAt), now()))
                RETURNING *
            )
            SELECT \(unescaped: ContactPermission.columns) FROM p JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
            """)
        let permission = try ContactPermission(row: row[0])
        try await Audit.record(tx, tenant: tenant, actor: actor, action: change.granted ? "grant" : "revoke",
                               entity: "contact_permission", entityID: client.ref, before: nil, after: permission)
        return permission
    }
}
