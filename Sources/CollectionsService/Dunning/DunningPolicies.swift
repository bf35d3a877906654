public import Foundation
import Postgres

/// A tenant's dunning policy versions: the latest decides each day's dunning
/// (sql/functions dunning_plan).
public struct DunningPolicies: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// The latest version.
    public func current() async throws -> DunningPolicy {
        try await database.ledger(tenant, readOnly: true) { tx in try await Self.current(tenant: tenant, in: tx) }
    }

    /// Stores `steps` as the next version; the same steps as the latest store nothing
    /// and return it (setting a file twice makes one version).
    public func set(_ steps: [DunningStep], actor: String) async throws -> (policy: DunningPolicy, changed: Bool) {
        try DunningPolicy.validate(steps)
        return try await database.ledger(tenant) { tx in
            let latest = try await Self.current(tenant: tenant, in: tx)
            if latest.steps == steps { return (latest, false) }
            return (try await Self.store(steps, tenant: tenant, actor: actor, in: tx), true)
        }
    }

    static func current(tenant: UUID, in tx: PostgresConnection) async throws -> DunningPolicy {
        let rows = try await tx.query("""
            SELECT p.version, p.created_at, p.created_by, s.name, s.offset_days, s.channel, s.template, s.applies_to,
                   s.reminds,
                   coalesce((SELECT array_agg(m.currency::text ORDER BY m.currency) FROM dunning_step_minimums m
                             WHERE m.tenant_id = \(tenant) AND m.version = p.version AND m.position = s.position),
                            '{}') AS minimum_currencies,
                   coalesce((SELECT array_agg(m.minimum_minor ORDER BY m.currency) FROM dunning_step_minimums m
                             WHERE m.tenant_id = \(tenant) AND m.version = p.version AND m.position = s.position),
                            '{}') AS minimum_minor
            FROM (SELECT * FROM dunning_policies p WHERE p.tenant_id = \(tenant) ORDER BY p.version DESC LIMIT 1) p
            LEFT JOIN dunning_steps s ON s.tenant_id = \(tenant) AND s.version = p.version
            ORDER BY s.position
            """)
        guard let first = rows.first else {
            throw ServiceError.notFound("the tenant has no dunning policy")
        }
        var policy = DunningPolicy(
            version: Int(try first["version", as: Int32.self]), createdAt: try first["created_at"],
            createdBy: try first["created_by"], steps: [])
        for row in rows {
            guard let name: String = try row["name"] else { continue }
            let currencies: [String] = try row["minimum_currencies"]
            let minimums: [Int64] = try row["minimum_minor"]
            policy.steps.append(DunningStep(
                name: name, offsetDays: Int(try row["offset_days", as: Int32.self]),
                channel: try row.decodeKnown(DunningChannel.self, column: "channel", "channel"), template: try row["template"],
                appliesTo: try row.decodeKnown(DunningStep.Scope.self, column: "applies_to", "step scope"),
                minimumBalance: zip(currencies, minimums).map { Money(amountMinor: $1, currency: $0) },
                reminds: try row.decodeKnown(DunningStep.Subject.self, column: "reminds", "step subject")))
        }
        return policy
    }

    /// Stores the next version, in the caller's transaction (with the tenant set);
    /// audited unless the caller's own audit row says it (a tenant's creation).
    static func store(
        _ steps: [DunningStep], tenant: UUID, actor: String, audited: Bool = true, in tx: PostgresConnection
    ) async throws -> DunningPolicy {
        // Two changes at once would take the same number: the second waits.
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(\("\(tenant.uuidString.lowercased())/dunning"), 0))")
        let row = try await tx.query("""
            INSERT INTO dunning_policies (tenant_id, version, created_by)
            SELECT \(tenant), coalesce(max(p.version), 0) + 1, \(String(actor.prefix(200)))
            FROM dunning_policies p WHERE p.tenant_id = \(tenant)
            RETURNING version, created_at
            """)[0]
        let version = try row["version", as: Int32.self]
        let positions = steps.indices.map { Int32($0 + 1) }
        try await tx.insert("""
            INSERT INTO dunning_steps (tenant_id, version, position, name, offset_days, channel, template, applies_to,
                                       reminds)
            SELECT \(tenant), \(version), u.position, u.name, u.offset_days, u.channel, u.template, u.applies_to,
                   u.reminds
            FROM unnest(\(positions)::int[], \(steps.map(\.name))::text[], \(steps.map { Int32($0.offsetDays) })::int[],
                        \(steps.map(\.channel.rawValue))::text[], \(steps.map(\.template))::text[],
                        \(steps.map(\.appliesTo.rawValue))::text[], \(steps.map(\.reminds.rawValue))::text[])
                 AS u(position, name, offset_days, channel, template, applies_to, reminds)
            """)
        let minimums = steps.enumerated().flatMap { index, step in step.minimumBalance.map { (Int32(index + 1), $0) } }
        if !minimums.isEmpty {
            try await tx.insert("""
                INSERT INTO dunning_step_minimums (tenant_id, version, position, currency, minimum_minor)
                SELECT \(tenant), \(version), u.position, u.currency, u.minimum_minor
                FROM unnest(\(minimums.map(\.0))::int[], \(minimums.map(\.1.currency))::text[],
                            \(minimums.map(\.1.amountMinor))::bigint[]) AS u(position, currency, minimum_minor)
                """)
        }
        let policy = DunningPolicy(version: Int(version), createdAt: try row["created_at"], createdBy: actor, steps: steps)
        if audited {
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "set", entity: "dunning_policy",
                                   entityID: String(version), before: nil, after: policy)
        }
        return policy
    }
}
