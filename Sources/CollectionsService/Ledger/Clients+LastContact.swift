import Foundation
import Postgres

extension Clients {
    /// The clients named in `refs` (unknown refs are left out) with the time of
    /// each one's newest note, in one statement (the notes' client index).
    public func lastContacts(refs: [String]) async throws -> [ClientContact] {
        guard !refs.isEmpty else { return [] }
        return try await database.ledger(tenant, readOnly: true) { tx in
            try Self.lastContacts(try await tx.query(Self.lastContactsSQL(tenant, refs: "\(refs)::text[]")))
        }
    }

    /// `lastContacts`' query, for the refs of `refs` (a `text[]` expression).
    static func lastContactsSQL(_ tenant: UUID, refs: SQL) -> SQL {
        """
        SELECT c.id, c.ref,
               (SELECT max(n.noted_at) FROM contact_notes n
                WHERE n.tenant_id = \(tenant) AND n.client_id = c.id) AS last_contact_at
        FROM clients c
        WHERE c.tenant_id = \(tenant) AND c.ref = ANY(\(refs))
        """
    }

    static func lastContacts(_ rows: PostgresRows) throws -> [ClientContact] {
        try rows.map { ClientContact(id: try $0["id"], ref: try $0["ref"], lastContactAt: try $0["last_contact_at"]) }
    }
}
