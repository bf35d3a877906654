import CollectionsService
import Crypto
import Foundation
import Postgres

/// Starts, finds and ends dashboard sessions (sql/0024), server-side, so a
/// session can be signed out and expires. Only the SHA-256 of a token is
/// stored; the token (`ds_<tenant hex>_<64 hex>`) names its tenant so that the
/// lookup runs under row-level security for that tenant, as API keys' do.
/// A lookup joins the key the session came from: a revoked key ends its sessions.
struct DashboardSessions: Sendable {
    let database: CollectionsDatabase
    /// How long a session lasts after sign-in.
    let lifetime: Duration

    /// A session for a presented API key (the tenant's or an agency's), and its
    /// token, or nil for any key the API would refuse: all alike.
    func start(apiKey presented: String, now: Date = Date()) async throws -> (token: String, session: DashboardSession)? {
        guard let scope = try await ApiKeys(database: database).verifiedScope(presented) else { return nil }
        let prefix = String(presented.split(separator: "_").last?.prefix(8) ?? "")
        let token = "ds_\(Self.hex(of: scope.tenant))_\(ApiKeys.randomHex(bytes: 32))"
        var generator = SystemRandomNumberGenerator()
        let csrf = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let expires = now.addingTimeInterval(Double(lifetime.components.seconds))
        let secret = csrf
        let id: UUID? = try await CollectionsDatabase.$agency.withValue(nil) {
            try await database.withTenant(scope.tenant) { tx in
                try await tx.query("""
                    INSERT INTO dashboard_sessions (tenant_id, token_hash, api_key_id, csrf_secret, created_at, expires_at)
                    SELECT \(scope.tenant), \(Self.digest(token)), k.id, \(secret), \(now), \(expires) FROM api_keys k
                    WHERE k.tenant_id = \(scope.tenant) AND k.prefix = \(prefix) AND k.revoked_at IS NULL
                    RETURNING id
                    """).first?.decode(UUID.self, at: 0)
            }
        }
        guard let id else { return nil }
        return (token, DashboardSession(id: id, tenant: scope.tenant, agency: scope.agency, csrfToken: Self.hex(secret)))
    }

    /// The live session a cookie's token names, or nil: malformed, unknown,
    /// signed out, expired, its key revoked or its tenant suspended, all alike.
    func find(token: String, now: Date = Date()) async throws -> DashboardSession? {
        guard let tenant = Self.tenant(in: token) else { return nil }
        do {
            return try await CollectionsDatabase.$agency.withValue(nil) {
                try await database.withTenant(tenant, readOnly: true) { tx in
                    guard let row = try await tx.query("""
                        SELECT s.id, s.csrf_secret, k.agency_id FROM dashboard_sessions s
                        JOIN api_keys k ON k.tenant_id = \(tenant) AND k.id = s.api_key_id
                        WHERE s.tenant_id = \(tenant) AND s.token_hash = \(Self.digest(token))
                          AND s.ended_at IS NULL AND s.expires_at > \(now) AND k.revoked_at IS NULL
                        """).first else { return nil }
                    return DashboardSession(
                        id: try row["id"], tenant: tenant, agency: try row["agency_id"],
                        csrfToken: Self.hex(try row["csrf_secret", as: Data.self]))
                }
            }
        } catch let error as ServiceError where error.kind == .suspended {
            return nil
        }
    }

    /// Signs the session out: its token opens nothing from now on.
    func end(_ session: DashboardSession, now: Date = Date()) async throws {
        try await CollectionsDatabase.$agency.withValue(nil) {
            try await database.withTenant(session.tenant) { tx in
                try await tx.execute("""
                    UPDATE dashboard_sessions SET ended_at = \(now)
                    WHERE tenant_id = \(session.tenant) AND id = \(session.id) AND ended_at IS NULL
                    """)
            }
        }
    }

    /// The tenant a well-formed token names, unchecked.
    static func tenant(in token: String) -> UUID? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ds", parts[2].count == 64, parts[1].allSatisfy(\.isHexDigit),
              parts[2].allSatisfy(\.isHexDigit) else { return nil }
        return ApiKeys.tenantID(hex: parts[1])
    }

    static func digest(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    static func hex(of id: UUID) -> String { id.uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    static func hex(_ bytes: Data) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Compares two tokens in time independent of where they differ.
    static func sameToken(_ a: String, _ b: String) -> Bool {
        ApiKeys.constantTimeEqual(Data(a.utf8), Data(b.utf8))
    }
}
