public import Foundation
package import Postgres

/// A team of a tenant's collectors, by name (unique in the tenant). A worklist
/// can be asked for a team: the clients of its collectors.
public struct CollectorTeam: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    /// The handles of its collectors, in order.
    public var collectors: [String]

    package init(row: PostgresRow) throws {
        id = try row["id"]
        name = try row["name"]
        collectors = try row["collectors", as: [String]?.self] ?? []
    }
}
