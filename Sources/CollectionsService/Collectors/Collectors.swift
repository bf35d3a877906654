public import Foundation
package import Postgres

/// A tenant's collectors and teams: collectors added and listed, moved between
/// teams, and clients assigned to them. Every change is audited in its own
/// transaction; a refused one changes nothing.
public struct Collectors: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Adds a collector known by `handle` (the name notes and assignments use),
    /// in `team` when one is named.
    public func create(handle: String, displayName: String? = nil, team: String? = nil, actor: String) async throws -> Collector {
        let actor = try Check.actor(actor)
        let handle = try Check.text(handle, "the collector's handle", 1...200)
        let displayName = try Check.optionalText(displayName, "the collector's name", 1...200) ?? handle
        let team = try Check.optionalText(team, "the team's name", 1...200)
        return try await database.ledger(tenant) { tx in
            var teamID: UUID?
            if let team { teamID = try await Self.teamID(named: team, tenant: tenant, in: tx) }
            let inserted = try await tx.query("""
                INSERT INTO collectors (tenant_id, handle, display_name, team_id)
                VALUES (\(tenant), \(handle), \(displayName), \(teamID))
                ON CONFLICT (tenant_id, handle) DO NOTHING
                RETURNING id
                """)
            guard let id = try inserted.first?.decode(UUID.self, column: "id") else {
                throw ServiceError.conflict("collector \(handle) exists already")
            }
            let collector = try await Self.collector(id: id, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "collector",
                                   entityID: handle, before: nil, after: collector)
            return collector
        }
    }

    /// The tenant's collectors by handle, archived ones too.
    public func list() async throws -> [Collector] {
        try await database.ledger(tenant, readOnly: true) { tx in
            try await tx.query("""
                SELECT \(unescaped: Collector.columns) FROM \(Collector.from(tenant)) WHERE k.tenant_id = \(tenant) ORDER BY k.handle
                """).map(Collector.init(row:))
        }
    }

    /// Moves the collector into `team`, or out of any team when it is nil.
    public func move(_ handle: String, toTeam team: String?, actor: String) async throws -> Collector {
        let actor = try Check.actor(actor)
        let handle = try Check.text(handle, "the collector's handle", 1...200)
        let team = try Check.optionalText(team, "the team's name", 1...200)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.collector(handle: handle, tenant: tenant, in: tx, lock: true)
            var teamID: UUID?
            if let team { teamID = try await Self.teamID(named: team, tenant: tenant, in: tx) }
            try await tx.execute("""
                UPDATE collectors SET team_id = \(teamID) WHERE tenant_id = \(tenant) AND id = \(before.id)
                """)
            let after = try await Self.collector(id: before.id, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "move", entity: "collector",
                                   entityID: handle, before: before, after: after)
            return after
        }
    }

    /// Assigns the clients with `clientRefs` to the collector `handle`: all of
    /// them or, when a ref is unknown or the collector unknown or archived, none.
    /// Returns the refs assigned, in order; each client's change is audited.
    public func assign(clientRefs: [String], to handle: String, actor: String) async throws -> [String] {
        let actor = try Check.actor(actor)
        let handle = try Check.text(handle, "the collector's handle", 1...200)
        let refs = try clientRefs.map { try Check.text($0, "a client ref", 1...64) }
        guard !refs.isEmpty else { throw ServiceError.invalid("name at least one client to assign") }
        return try await database.ledger(tenant) { tx in
            let collector = try await Self.collector(handle: handle, tenant: tenant, in: tx)
            if let archived = collector.archivedOn {
                throw ServiceError.refused("collector \(handle) was archived on \(archived); assign the clients to someone else")
            }
            let found = try await tx.query("""
                SELECT c.ref, c.assigned_collector FROM clients c
                WHERE c.tenant_id = \(tenant) AND c.ref = ANY(\(refs)) ORDER BY c.ref FOR UPDATE
                """).decode((String, String?).self)
            let missing = Set(refs).subtracting(found.map(\.0)).sorted()
            guard missing.isEmpty else {
                throw ServiceError.notFound("no client \(missing.joined(separator: ", ")); nothing was assigned")
            }
            try await tx.execute("""
                UPDATE clients SET assigned_collector = \(handle)
                WHERE tenant_id = \(tenant) AND ref = ANY(\(refs))
                """)
            for (ref, previous) in found {
                try await Audit.record(tx, tenant: tenant, actor: actor, action: "assign", entity: "client",
                                       entityID: ref, before: Assignment(collector: previous),
                                       after: Assignment(collector: handle))
            }
            return found.map(\.0)
        }
    }

    /// What an assignment's audit row records before and after.
    struct Assignment: Encodable {
        let collector: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeOrNull(collector, forKey: .collector)
        }

        enum CodingKeys: String, CodingKey { case collector = "assigned_collector" }
    }
}

extension Collectors {
    /// `tenant`'s collector with `handle`, or a refusal naming it.
    package static func collector(
        handle: String, tenant: UUID, in tx: PostgresConnection, lock: Bool = false
    ) async throws -> Collector {
        guard let row = try await tx.query("""
            SELECT \(unescaped: Collector.columns) FROM \(Collector.from(tenant))
            WHERE k.tenant_id = \(tenant) AND k.handle = \(handle) \(unescaped: lock ? "FOR UPDATE OF k" : "")
            """).first else {
            throw ServiceError.notFound("no collector \(handle): add them first (collections-admin collector create)")
        }
        return try Collector(row: row)
    }

    static func collector(id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> Collector {
        let rows = try await tx.query("""
            SELECT \(unescaped: Collector.columns) FROM \(Collector.from(tenant)) WHERE k.tenant_id = \(tenant) AND k.id = \(id)
            """)
        return try Collector(row: rows[0])
    }

    static func teamID(named name: String, tenant: UUID, in tx: PostgresConnection) async throws -> UUID {
        guard let id = try await tx.query("""
            SELECT tm.id FROM collector_teams tm WHERE tm.tenant_id = \(tenant) AND tm.name = \(name)
            """).first?.decode(UUID.self, column: "id") else {
            throw ServiceError.notFound("no team \(name): add it first (collections-admin team create)")
        }
        return id
    }
}
