public import Foundation
public import Postgres

/// A person who works a tenant's accounts. The handle is the name the book uses
/// for them: a client's assigned collector and the author of the contact notes
/// they write (an email address or a login), unique in the tenant.
public struct Collector: Sendable, Codable, Equatable {
    public var id: UUID
    public var handle: String
    public var displayName: String
    /// The team's name, nil when the collector is in none.
    public var team: String?
    /// The day the collector was retired: no new clients are assigned to them.
    public var archivedOn: CalendarDate?

    package static let columns = "k.id, k.handle, k.display_name, tm.name AS team, k.archived_on"

    /// `columns` come from `collectors k` with this join for the team's name.
    package static func from(_ tenant: UUID) -> SQL {
        "collectors k LEFT JOIN collector_teams tm ON tm.tenant_id = \(tenant) AND tm.id = k.team_id"
    }

    package init(row: PostgresRow) throws {
        id = try row["id"]
        handle = try row["handle"]
        displayName = try row["display_name"]
        team = try row["team"]
        archivedOn = try row["archived_on"]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(handle, forKey: .handle)
        try container.encode(displayName, forKey: .displayName)
        try container.encodeOrNull(team, forKey: .team)
        try container.encodeOrNull(archivedOn, forKey: .archivedOn)
    }
}
