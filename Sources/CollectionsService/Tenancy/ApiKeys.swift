import Crypto
public import Foundation
import Postgres

/// Issues, lists, revokes and verifies API keys.
///
/// A key reads `ck_<tenant id, 32 hex>_<prefix, 8 hex><secret, 40 hex>`. The tenant id
/// in it lets a request set its tenant before looking the key up, so verification
/// itself runs under row-level security; only the SHA-256 of the whole key is stored.
public struct ApiKeys: Sendable {
    public let database: CollectionsDatabase
    public init(database: CollectionsDatabase) { self.database = database }

    public struct Issued: Sendable, Codable {
        public var key: ApiKey
        /// The secret, shown once.
        public var secret: String
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    package static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Issues a key of the tenant; with `agency` (an agency's name), a key of that
    /// agency, which opens only the accounts placed with it (`CollectionsDatabase.agency`).
    public func create(tenantSlug: String, label: String?, agency: String? = nil, actor: String) async throws -> Issued {
        let label = try Check.optionalText(label, "--label", 1...200)
        let tenant = try await TenantRegistry(database: database).find(tenantSlug)
        let prefix = Self.randomHex(bytes: 4)
        let secret = "ck_\(tenant.id.uuidString.lowercased().replacingOccurrences(of: "-", with: ""))_\(prefix)\(Self.randomHex(bytes: 20))"
        let key = try await database.asRegistry { tx in
            try await CollectionsDatabase.setTenant(tenant.id, in: tx)
            var agencyID: UUID?
            if let agency {
                agencyID = try await tx.query("""
                    SELECT a.id FROM agencies a WHERE a.tenant_id = \(tenant.id) AND a.name = \(agency)
                    """).scalar(UUID.self)
                guard agencyID != nil else { throw ServiceError.notFound("tenant \(tenantSlug) has no agency \(agency)") }
            }
            let row = try await tx.query("""
                INSERT INTO api_keys (tenant_id, prefix, secret_hash, label, agency_id)
                VALUES (\(tenant.id), \(prefix), \(Self.hash(secret)), \(label), \(agencyID))
                RETURNING id, prefix, label, created_at, last_used_at, revoked_at
                """)
            let key = try ApiKey(row: row[0])
            try await Audit.record(tx, tenant: tenant.id, actor: actor, action: "create", entity: "api_key",
                                   entityID: prefix, before: nil, after: key)
            return key
        }
        return Issued(key: key, secret: secret)
    }

    public func list(tenantSlug: String) async throws -> [ApiKey] {
        let tenant = try await TenantRegistry(database: database).find(tenantSlug)
        return try await database.asRegistry { tx in
            try await CollectionsDatabase.setTenant(tenant.id, in: tx)
            return try await tx.query("""
                SELECT id, prefix, label, created_at, last_used_at, revoked_at FROM api_keys
                WHERE tenant_id = \(tenant.id) ORDER BY created_at
                """).map(ApiKey.init(row:))
        }
    }

    /// Revokes by prefix (as listed) or id.
    public func revoke(tenantSlug: String, keyID: String, actor: String) async throws -> ApiKey {
        let tenant = try await TenantRegistry(database: database).find(tenantSlug)
        return try await database.asRegistry { tx in
            try await CollectionsDatabase.setTenant(tenant.id, in: tx)
            let id = UUID(uuidString: keyID)
            // The time bound, not `now()` in the write's coalesce (DESIGN.md "Scale-out").
            guard let row = try await tx.query("""
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, \(Date()))
                WHERE tenant_id = \(tenant.id) AND (prefix = \(keyID) OR id = \(id))
                RETURNING id, prefix, label, created_at, last_used_at, revoked_at
                """).first else {
                throw ServiceError.notFound("tenant \(tenantSlug) has no API key \"\(keyID)\"")
            }
            let key = try ApiKey(row: row)
            try await Audit.record(tx, tenant: tenant.id, actor: actor, action: "revoke", entity: "api_key",
                                   entityID: key.prefix, before: nil, after: key)
            return key
        }
    }

    /// The tenant a presented key belongs to, or nil: for a malformed, unknown or
    /// revoked key, and for a key naming a tenant that does not exist or is
    /// suspended, all alike, so the answer tells a caller nothing about tenants it
    /// holds no key of. The hash comparison takes the same time wherever the bytes
    /// differ. `last_used_at` is written at most once a minute per key, so a busy
    /// key is not one hot row.
    public func verify(_ presented: String) async throws -> UUID? {
        try await verifiedScope(presented)?.tenant
    }

    /// `verify`, with the agency the key was issued for (nil: the lender's own key).
    public func verifiedScope(_ presented: String) async throws -> (tenant: UUID, agency: UUID?)? {
        let parts = presented.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ck", parts[1].count == 32, parts[2].count == 48,
              parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit),
              let tenant = Self.tenantID(hex: parts[1]) else { return nil }
        let prefix = String(parts[2].prefix(8))
        let presentedHash = Self.hash(presented)
        let matched: (Bool, UUID?)
        do {
            matched = try await CollectionsDatabase.$agency.withValue(nil) {
                try await database.withTenant(tenant) { tx in
                    guard let found = try await tx.query("""
                        SELECT secret_hash, agency_id FROM api_keys
                        WHERE tenant_id = \(tenant) AND prefix = \(prefix) AND revoked_at IS NULL
                        """).decode((Data, UUID?).self).first, Self.constantTimeEqual(found.0, presentedHash) else { return (false, nil) }
                    try await tx.execute("""
                        UPDATE api_keys SET last_used_at = now()
                        WHERE tenant_id = \(tenant) AND prefix = \(prefix)
                          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
                        """)
                    return (true, found.1)
                }
            }
        } catch let error as ServiceError where error.kind == .suspended {
            return nil
        }
        return matched.0 ? (tenant, matched.1) : nil
    }

    /// The tenant id a key (or a dashboard session's token) spells as 32 hex digits.
    package static func tenantID(hex digits: Substring) -> UUID? {
        var hex = String(digits)
        guard hex.count == 32 else { return nil }
        for index in [8, 13, 18, 23] { hex.insert("-", at: hex.index(hex.startIndex, offsetBy: index)) }
        return UUID(uuidString: hex)
    }

    package static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
