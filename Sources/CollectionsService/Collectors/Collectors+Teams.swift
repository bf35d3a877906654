import Foundation
import Postgres

extension Collectors {
    /// Adds a team named `name` (unique in the tenant), with no collectors yet.
    public func createTeam(name: String, actor: String) async throws -> CollectorTeam {
        let actor = try Check.actor(actor)
        let name = try Check.text(name, "the team's name", 1...200)
        return try await database.ledger(tenant) { tx in
            let rows = try await tx.query("""
                INSERT INTO collector_teams AS tm (tenant_id, name) VALUES (\(tenant), \(name))
                ON CONFLICT (tenant_id, name) DO NOTHING
                RETURNING tm.id, tm.name, NULL::text[] AS collectors
                """)
            guard let row = rows.first else { throw ServiceError.conflict("team \(name) exists already") }
            let team = try CollectorTeam(row: row)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "collector_team",
                                   entityID: name, before: nil, after: team)
            return team
        }
    }

    /// The tenant's teams by name, each with its collectors' handles.
    public func teams() async throws -> [CollectorTeam] {
        try await database.ledger(tenant, readOnly: true) { tx in
            try await tx.query("""
                SELECT tm.id, tm.name,
                       array_agg(k.handle ORDER BY k.handle) FILTER (WHERE k.id IS NOT NULL) AS collectors
                FROM collector_teams tm
                LEFT JOIN collectors k ON k.tenant_id = \(tenant) AND k.team_id = tm.id
                WHERE tm.tenant_id = \(tenant)
                GROUP BY tm.id, tm.name ORDER BY tm.name
                """).map(CollectorTeam.init(row:))
        }
    }
}
