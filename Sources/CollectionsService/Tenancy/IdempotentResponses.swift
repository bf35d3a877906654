import Crypto
public import Foundation
import Postgres

/// The answers to a tenant's write requests, kept by idempotency key, so the
/// same request sent again (a retry after a lost answer) gets the first answer
/// and does its work once (DESIGN.md "Writes that must happen once").
///
/// For requests whose work runs in the service's own transactions (creating a
/// client, voiding an invoice, an import): the key is claimed and committed
/// first, the work runs, then its answer is stored. A second request meanwhile
/// finds the claim without an answer and is told to try again (HTTP 409); a
/// failed request releases its claim, so a retry can run. A process that dies
/// between the work and storing its answer leaves the claim unanswered, and
/// its key answers 409 from then on (the work happened once). Payments do not
/// come here: their posting claims its key in its own transaction.
///
/// Keys share `idempotency_keys` with payment posting, under a prefix and a hash
/// (`http/v1 <sha256>`), so a request key never names a payment's key.
public struct IdempotentResponses: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// An answer as it was sent.
    public struct Stored: Sendable, Codable, Equatable {
        public var status: Int
        public var contentType: String?
        public var body: Data

        public init(status: Int, contentType: String?, body: Data) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public enum Claim: Sendable, Equatable {
        /// The key is ours: do the work, then `store` or `release`.
        case claimed
        /// The same request was answered before: send this again.
        case replay(Stored)
        /// The key was used for a different request.
        case differentRequest
        /// A request with this key has not finished (or died before answering).
        case inProgress
    }

    static func storedKey(_ key: String) -> String {
        "http/v1 " + SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of what makes a request the same request: its method, path and
    /// query, and body.
    public static func requestHash(method: String, path: String, body: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        hasher.update(data: body)
        return Data(hasher.finalize())
    }

    public func claim(_ key: String, requestHash: Data) async throws -> Claim {
        let stored = Self.storedKey(key)
        return try await database.withTenant(tenant) { tx in
            let claimed = try await tx.query("""
                INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (\(tenant), \(stored), \(requestHash))
                ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key
                """).first != nil
            if claimed { return .claimed }
            guard let row = try await tx.query("""
                SELECT request_hash, response FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(stored)
                """).first else {
                return .inProgress
            }
            guard try row["request_hash", as: Data.self] == requestHash else { return .differentRequest }
            guard let answer = try row["response", as: JSONB<Stored>?.self] else { return .inProgress }
            return .replay(answer.value)
        }
    }

    public func store(_ key: String, _ answer: Stored) async throws {
        let stored = Self.storedKey(key)
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                UPDATE idempotency_keys SET response = \(JSONB(answer))
                WHERE tenant_id = \(tenant) AND key = \(stored) AND response IS NULL
                """)
        }
    }

    /// Gives the key back after a request that failed, so a retry may run.
    public func release(_ key: String) async throws {
        let stored = Self.storedKey(key)
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                DELETE FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(stored) AND response IS NULL
                """)
        }
    }
}
