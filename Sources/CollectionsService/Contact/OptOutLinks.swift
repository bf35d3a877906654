public import Foundation
import Postgres

/// The opt-out link every email carries (`/opt-out/TENANT/TOKEN`): the token is
/// the message's own secret (sql/0015 dunning_messages.opt_out_token), so the link
/// needs no key, names no client, and opts out exactly the address it went to.
public struct OptOutLinks: Sendable {
    let database: CollectionsDatabase

    public init(database: CollectionsDatabase) { self.database = database }

    public struct Target: Sendable, Equatable {
        public var lender: String
        public var address: String
    }

    /// Whom the link is for; nil for a token no message has, or a tenant that is
    /// suspended or gone (all alike, so a link reveals nothing).
    public func target(tenant: UUID, token: String) async throws -> Target? {
        do {
            return try await database.withTenant(tenant, readOnly: true) { tx in
                try await Self.find(tx, tenant: tenant, token: token).map { Target(lender: $0.lender, address: $0.address) }
            }
        } catch let error as ServiceError where error.kind == .suspended {
            return nil
        }
    }

    /// Records the opt-out of the link's address from email (once: a second click
    /// records nothing more); nil when `target` would be.
    public func optOut(tenant: UUID, token: String) async throws -> Target? {
        do {
            return try await database.withTenant(tenant) { tx in
                guard let found = try await Self.find(tx, tenant: tenant, token: token) else { return nil }
                try await tx.insert("""
                    INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                    SELECT \(tenant), \(found.client), 'email', \(found.address), false, 'opt-out link', now()
                    WHERE coalesce((SELECT p.granted FROM contact_permission(\(tenant), \(found.client), 'email',
                                                                            \(found.address), now() + interval '1 second') p), true)
                    """)
                return Target(lender: found.lender, address: found.address)
            }
        } catch let error as ServiceError where error.kind == .suspended {
            return nil
        }
    }

    private static func find(_ tx: PostgresConnection, tenant: UUID, token: String) async throws
        -> (client: UUID, address: String, lender: String)?
    {
        guard (16...64).contains(token.count), token.allSatisfy({ $0.isHexDigit }) else { return nil }
        return try await tx.query("""
            SELECT m.client_id, m.address, t.name FROM dunning_messages m JOIN tenants t ON t.id = \(tenant)
            WHERE m.tenant_id = \(tenant) AND m.opt_out_token = \(token) AND m.channel = 'email' AND m.address IS NOT NULL
            """).decode((UUID, String, String).self).first.map { (client: $0.0, address: $0.1, lender: $0.2) }
    }
}
