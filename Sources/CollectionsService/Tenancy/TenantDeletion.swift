public import Foundation
import Postgres

/// What is left of a deleted tenant: who deleted it, when, and how many rows went.
public struct TenantDeletion: Sendable, Codable, Equatable {
    public var tenant: UUID
    public var slug: String
    public var name: String
    public var createdAt: Date
    public var deletedAt: Date
    public var actor: String
    public var rowsDeleted: [String: Int]

    init(row: PostgresRow) throws {
        tenant = try row["deleted_tenant"]
        slug = try row["slug"]
        name = try row["name"]
        createdAt = try row["created_at"]
        deletedAt = try row["deleted_at"]
        actor = try row["actor"]
        rowsDeleted = try (row["rows_deleted"] as JSONB<[String: Int]>).value
    }
}
