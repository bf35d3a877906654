public import Foundation
public import Postgres

/// A tenant's client holds: placed, ended, listed; every change audited.
public struct ClientHolds: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Places a hold from `startsOn` (default: the tenant's today).
    public func place(
        clientRef: String, kind: ClientHold.Kind, startsOn: CalendarDate? = nil, note: String? = nil, actor: String
    ) async throws -> ClientHold {
        let actor = try Check.actor(actor)
        let note = try Check.optionalText(note, "the note", 1...2000)
        return try await database.ledger(tenant) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            let startsOn = if let startsOn { startsOn } else { try await Ledger.today(tenant, in: tx) }
            let row = try await tx.query("""
                WITH h AS (
                    INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, note, recorded_by)
                    VALUES (\(tenant), \(client.id), \(kind.rawValue), \(startsOn), \(note), \(actor))
                    RETURNING *
                )
                SELECT \(unescaped: ClientHold.columns) FROM h JOIN clients c ON c.tenant_id = \(tenant) AND c.id = h.client_id
                """)
            let hold = try ClientHold(row: row[0])
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "place", entity: "client_hold",
                                   entityID: hold.id.uuidString.lowercased(), before: nil, after: hold)
            return hold
        }
    }

    /// Ends a running hold: from `endsOn` (default: the tenant's today) it no longer
    /// applies. With `clientRef`, a hold of another client is as missing as none.
    public func end(_ id: UUID, clientRef: String? = nil, endsOn: CalendarDate? = nil, actor: String) async throws -> ClientHold {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            guard let found = try await tx.query("""
                SELECT \(unescaped: ClientHold.columns) FROM client_holds h
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = h.client_id
                WHERE h.tenant_id = \(tenant) AND h.id = \(id) AND (\(clientRef)::text IS NULL OR c.ref = \(clientRef))
                FOR UPDATE OF h
                """).first else {
                throw ServiceError.notFound("no hold \(id.uuidString.lowercased())")
            }
            let before = try ClientHold(row: found)
            if let ended = before.endsOn { throw ServiceError.conflict("the hold ended on \(ended) already") }
            let endsOn = if let endsOn { endsOn } else { try await Ledger.today(tenant, in: tx) }
            guard endsOn > before.startsOn else {
                throw ServiceError.invalid("a hold that starts on \(before.startsOn) can end on \(before.startsOn.adding(days: 1)) at the earliest, not \(endsOn)")
            }
            let row = try await tx.query("""
                WITH h AS (
                    UPDATE client_holds h SET ends_on = \(endsOn) WHERE h.tenant_id = \(tenant) AND h.id = \(id) RETURNING h.*
                )
                SELECT \(unescaped: ClientHold.columns) FROM h JOIN clients c ON c.tenant_id = \(tenant) AND c.id = h.client_id
                """)
            let after = try ClientHold(row: row[0])
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "end", entity: "client_hold",
                                   entityID: id.uuidString.lowercased(), before: before, after: after)
            return after
        }
    }

    /// The client's holds, newest first.
    public func list(clientRef: String) async throws -> [ClientHold] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try await tx.query("""
                SELECT \(unescaped: ClientHold.columns) FROM client_holds h
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = h.client_id
                WHERE h.tenant_id = \(tenant) AND h.client_id = \(client.id)
                ORDER BY h.starts_on DESC, h.created_at DESC
                """).map(ClientHold.init(row:))
        }
    }
}
