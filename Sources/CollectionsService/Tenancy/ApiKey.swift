import Crypto
public import Foundation
import Postgres

/// An API key of a tenant, as listed: never the secret, which exists only in the
/// one answer to `create`.
public struct ApiKey: Sendable, Codable, Equatable {
    public var id: UUID
    /// The short visible part that names the key in lists and revocations.
    public var prefix: String
    public var label: String?
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    init(row: PostgresRow) throws {
        id = try row["id"]
        prefix = try row["prefix"]
        label = try row["label"]
        createdAt = try row["created_at"]
        lastUsedAt = try row["last_used_at"]
        revokedAt = try row["revoked_at"]
    }
}
