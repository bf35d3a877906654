import Foundation
public import Postgres

/// A collector's KPIs in one currency as of a day (`report_collector_kpis`): the
/// promises due in the DSO period they took and kept, and what was collected
/// after their contacts (applications within 7 days after their latest note
/// about the client).
public struct CollectorFigures: Sendable, Codable, Equatable {
    public var collector: String
    public var name: String
    public var team: String?
    public var currency: String
    public var promisesDue: Int
    public var promisesKept: Int
    /// Kept x 100 / due, to two places like every KPI ratio; nil (JSON `null`)
    /// when none was due.
    public var promiseKeptRate: Double?
    public var collectedAfterContactMinor: Int64

    enum CodingKeys: String, CodingKey {
        case collector, name, team, currency, promisesDue, promisesKept, promiseKeptRate, collectedAfterContactMinor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(collector, forKey: .collector)
        try container.encode(name, forKey: .name)
        try container.encodeOrNull(team, forKey: .team)
        try container.encode(currency, forKey: .currency)
        try container.encode(promisesDue, forKey: .promisesDue)
        try container.encode(promisesKept, forKey: .promisesKept)
        try container.encodeOrNull(promiseKeptRate, forKey: .promiseKeptRate)
        try container.encode(collectedAfterContactMinor, forKey: .collectedAfterContactMinor)
    }

    package init(row: PostgresRow) throws {
        collector = try row["handle"]
        name = try row["display_name"]
        team = try row["team"]
        currency = try row["currency"]
        promisesDue = try row["promises_due"]
        promisesKept = try row["promises_kept"]
        promiseKeptRate = try row["promise_kept_rate"]
        collectedAfterContactMinor = try row["collected_after_contact_minor"]
    }
}

extension CollectorFigures {
    /// Every collector of `tenant` as of `asOf` with the tenant's DSO period,
    /// grace days and time zone, in a transaction with the tenant set.
    static func all(
        tenant: UUID, asOf: CalendarDate, dsoPeriodDays: Int, promiseGraceDays: Int, timeZone: String,
        in tx: PostgresConnection
    ) async throws -> [CollectorFigures] {
        try await tx.query("""
            SELECT * FROM report_collector_kpis(\(tenant), \(asOf), \(dsoPeriodDays)::int, \(promiseGraceDays)::int, \(timeZone)::text)
            """).map(CollectorFigures.init(row:))
    }
}

extension Collectors {
    /// Each collector's KPIs as of `date` (the tenant's today by default).
    public func figures(_ tenant: Tenant, asOf date: CalendarDate? = nil) async throws -> [CollectorFigures] {
        try await database.ledger(tenant.id, readOnly: true) { tx in
            let day = try await date.orToday(tenant.id, in: tx)
            return try await CollectorFigures.all(
                tenant: tenant.id, asOf: day, dsoPeriodDays: tenant.dsoPeriodDays,
                promiseGraceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone, in: tx)
        }
    }
}
