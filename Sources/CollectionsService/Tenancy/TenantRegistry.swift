import Foundation
import Postgres

/// The tenant registry: the admin's operations, run as `collections_registry`.
public struct TenantRegistry: Sendable {
    public let database: CollectionsDatabase
    public init(database: CollectionsDatabase) { self.database = database }

    public static func validate(slug: String) throws {
        let allowed = slug.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        guard (2...63).contains(slug.utf8.count), allowed, slug.first != "-" else {
            throw ServiceError.invalid("invalid slug \"\(slug)\": use 2-63 lowercase letters, digits and '-', not starting with '-'")
        }
    }

    public func create(
        slug: String, name: String, currency: String? = "USD", timeZone: String = "UTC", actor: String
    ) async throws -> Tenant {
        try Self.validate(slug: slug)
        let name = try Check.text(name, "--name", 1...200)
        return try await database.asRegistry { tx in
            guard try await tx.query("SELECT time_zone_known(\(timeZone)) AS known").scalar(Bool.self) == true else {
                throw ServiceError.invalid("unknown time zone \"\(timeZone)\": use an IANA name such as America/Chicago")
            }
            if let currency {
                guard try await tx.query("SELECT 1 FROM currencies WHERE code = \(currency)").first != nil else {
                    throw ServiceError.invalid("unknown currency \"\(currency)\": use an ISO 4217 code such as USD")
                }
            }
            do {
                let row = try await tx.query("""
                    INSERT INTO tenants (slug, name, default_currency, time_zone)
                    VALUES (\(slug), \(name), \(currency), \(timeZone))
                    RETURNING \(unescaped: Tenant.columns)
                    """)
                let tenant = try Tenant(row: row[0])
                try await Self.audit(tx, tenant: tenant.id, actor: actor, action: "create", entity: "tenant",
                                       entityID: slug, before: nil, after: tenant)
                // Version 1 of its dunning policy: its reminder days as email steps
                // (the creation's audit row stands for it).
                _ = try await DunningPolicies.store(
                    DunningStep.reminders(offsets: tenant.reminderOffsets), tenant: tenant.id, actor: actor, audited: false,
                    in: tx)
                return tenant
            } catch let error as PostgresError where error.kind == .uniqueViolation {
                throw ServiceError.conflict("a tenant with slug \"\(slug)\" already exists")
            }
        }
    }

    /// Audit rows are tenant rows: the registry writes one with that tenant set,
    /// as forced row-level security requires of it too.
    static func audit(
        _ tx: PostgresConnection, tenant: UUID, actor: String, action: String, entity: String,
        entityID: String?, before: (any Encodable)?, after: (any Encodable)?
    ) async throws {
        try await CollectionsDatabase.setTenant(tenant, in: tx)
        try await Audit.record(tx, tenant: tenant, actor: actor, action: action, entity: entity,
                               entityID: entityID, before: before, after: after)
    }

    public func list() async throws -> [Tenant] {
        try await database.asRegistry { tx in
            try await tx.query("SELECT \(unescaped: Tenant.columns) FROM tenants ORDER BY slug").map(Tenant.init(row:))
        }
    }

    public func find(_ slug: String) async throws -> Tenant {
        try await database.asRegistry { tx in try await Self.find(slug, in: tx) }
    }

    static func find(_ slug: String, in tx: PostgresConnection) async throws -> Tenant {
        guard let row = try await tx.query("SELECT \(unescaped: Tenant.columns) FROM tenants WHERE slug = \(slug)").first else {
            throw ServiceError.notFound("no tenant with slug \"\(slug)\"")
        }
        return try Tenant(row: row)
    }

    public func suspend(_ slug: String, actor: String) async throws -> Tenant {
        try await setStatus(slug, .suspended, actor: actor)
    }

    public func resume(_ slug: String, actor: String) async throws -> Tenant {
        try await setStatus(slug, .active, actor: actor)
    }

    private func setStatus(_ slug: String, _ status: Tenant.Status, actor: String) async throws -> Tenant {
        try await database.asRegistry { tx in
            let before = try await Self.find(slug, in: tx)
            // The time bound, not `now()` in the write's coalesce (DESIGN.md "Scale-out").
            let row = try await tx.query("""
                UPDATE tenants SET status = \(status.rawValue),
                    suspended_at = CASE WHEN \(status.rawValue) = 'suspended' THEN coalesce(suspended_at, \(Date())) END
                WHERE slug = \(slug) RETURNING \(unescaped: Tenant.columns)
                """)
            let after = try Tenant(row: row[0])
            try await Self.audit(tx, tenant: after.id, actor: actor, action: status == .active ? "resume" : "suspend",
                                   entity: "tenant", entityID: slug, before: before, after: after)
            return after
        }
    }

    /// Changes the tenant's collection settings; nil leaves a setting as it is.
    public func configure(
        _ slug: String, ageingBucketLimits: [Int]? = nil, dsoPeriodDays: Int? = nil, ceiPeriodDays: Int? = nil,
        promiseGraceDays: Int? = nil, reminderOffsets: [Int]? = nil, clientKind: ClientKind? = nil,
        commercialCapMessages: Int? = nil, commercialCapDays: Int? = nil, emailFrom: String? = nil, actor: String
    ) async throws -> Tenant {
        try await database.asRegistry { tx in
            let before = try await Self.find(slug, in: tx)
            do {
                let row = try await tx.query("""
                    UPDATE tenants SET
                        ageing_bucket_limits = coalesce(\(ageingBucketLimits), ageing_bucket_limits),
                        dso_period_days = coalesce(\(dsoPeriodDays), dso_period_days),
                        cei_period_days = coalesce(\(ceiPeriodDays), cei_period_days),
                        promise_grace_days = coalesce(\(promiseGraceDays), promise_grace_days),
                        reminder_offsets = coalesce(\(reminderOffsets.map { $0.map(Int32.init) })::int[], reminder_offsets),
                        client_kind = coalesce(\(clientKind?.rawValue), client_kind),
                        commercial_cap_messages = coalesce(\(commercialCapMessages), commercial_cap_messages),
                        commercial_cap_days = coalesce(\(commercialCapDays), commercial_cap_days),
                        email_from = coalesce(\(emailFrom), email_from)
                    WHERE slug = \(slug) RETURNING \(unescaped: Tenant.columns)
                    """)
                let after = try Tenant(row: row[0])
                try await Self.audit(tx, tenant: after.id, actor: actor, action: "configure", entity: "tenant",
                                       entityID: slug, before: before, after: after)
                // New reminder days are a new policy version of email steps, the
                // old setting's meaning.
                if let reminderOffsets {
                    _ = try await DunningPolicies.store(
                        DunningStep.reminders(offsets: reminderOffsets), tenant: after.id, actor: actor, in: tx)
                }
                return after
            } catch let error as PostgresError where error.kind == .checkViolation {
                func list(_ days: [Int]?) -> String { (days ?? []).map(String.init).joined(separator: ",") }
                let reason = switch error.constraint {
                case "tenants_ageing_bucket_limits_check":
                    "ageing buckets must be 1-20 increasing limits from 1 to 36500 days, not \(list(ageingBucketLimits))"
                case "tenants_reminder_offsets_check":
                    "reminder days must be at most 12 different days from -60 to 365, not \(list(reminderOffsets))"
                case "tenants_dso_period_days_check": "the DSO period must be 1-730 days, not \(dsoPeriodDays ?? 0)"
                case "tenants_cei_period_days_check": "the CEI period must be 1-365 days, not \(ceiPeriodDays ?? 0)"
                case "tenants_promise_grace_days_check": "promise grace must be 0-60 days, not \(promiseGraceDays ?? 0)"
                case "tenants_commercial_cap_messages_check":
                    "the commercial cap must be 1-50 messages, not \(commercialCapMessages ?? 0)"
                case "tenants_commercial_cap_days_check":
                    "the commercial cap's period must be 1-31 days, not \(commercialCapDays ?? 0)"
                case "tenants_email_from_check": "the sending address must be one address (name@domain), not \(emailFrom ?? "")"
                default: error.constraint ?? error.message
                }
                throw ServiceError.invalid("invalid settings for \(slug): \(reason)")
            }
        }
    }

    /// Removes the tenant and every row it owns, in one transaction, and keeps a
    /// record of the deletion (`tenant_deletions`: the tenant's own audit trail
    /// goes with it); returns the number of rows removed per table.
    public func delete(_ slug: String, actor: String) async throws -> [(table: String, rows: Int)] {
        try await database.asRegistry { tx in
            let tenant = try await Self.find(slug, in: tx)
            // The registry is under forced row-level security too: it sees the
            // tenant's rows only with the tenant set.
            try await CollectionsDatabase.setTenant(tenant.id, in: tx)
            let tables = try await TenantTables.names(in: tx)
            // Each count names the tenant as well (DESIGN.md "Scale-out").
            var counts: [(String, Int)] = []
            for table in tables {
                let count = try await tx.query("""
                    SELECT count(*) FROM \(identifier: table) WHERE tenant_id = \(tenant.id)
                    """).scalar(Int.self) ?? 0
                counts.append((table, count))
            }
            // Every tenant table references tenants ON DELETE CASCADE.
            try await tx.execute("DELETE FROM tenants WHERE id = \(tenant.id)")
            for table in tables {
                let left = try await tx.query("""
                    SELECT count(*) FROM \(identifier: table) WHERE tenant_id = \(tenant.id)
                    """).scalar(Int.self) ?? 0
                guard left == 0 else { throw ServiceError.refused("\(left) rows of \(table) survived the delete; rolled back") }
            }
            let removed = counts + [("tenants", 1)]
            let rows = Dictionary(removed, uniquingKeysWith: +)
            try await tx.execute("""
                INSERT INTO tenant_deletions (deleted_tenant, slug, name, created_at, actor, rows_deleted)
                VALUES (\(tenant.id), \(tenant.slug), \(tenant.name), \(tenant.createdAt), \(String(actor.prefix(200))),
                        \(try Audit.json(rows)))
                """)
            return removed
        }
    }

    /// The record of each deleted tenant, newest first.
    public func deletions() async throws -> [TenantDeletion] {
        try await database.asRegistry { tx in
            try await tx.query("""
                SELECT deleted_tenant, slug, name, created_at, deleted_at, actor, rows_deleted
                FROM tenant_deletions ORDER BY deleted_at DESC, slug
                """).map(TenantDeletion.init(row:))
        }
    }
}
