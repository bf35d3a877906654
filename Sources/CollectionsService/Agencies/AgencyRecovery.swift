import Foundation
package import Postgres

/// An agency's recovery in one currency at a day: collected over placed
/// (`report_agency_recovery`), nil when nothing was placed.
public struct AgencyRecovery: Sendable, Codable, Equatable {
    public var agency: String
    public var commissionBP: Int
    public var currency: String
    public var placedMinor: Int64
    public var collectedMinor: Int64
    public var commissionMinor: Int64
    /// Collected x 100 / placed, to two places like every KPI ratio; nil (JSON
    /// `null`) when nothing was placed.
    public var recoveryRate: Double?

    enum CodingKeys: String, CodingKey {
        case agency, commissionBP, currency, placedMinor, collectedMinor, commissionMinor, recoveryRate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agency, forKey: .agency)
        try container.encode(commissionBP, forKey: .commissionBP)
        try container.encode(currency, forKey: .currency)
        try container.encode(placedMinor, forKey: .placedMinor)
        try container.encode(collectedMinor, forKey: .collectedMinor)
        try container.encode(commissionMinor, forKey: .commissionMinor)
        try container.encodeOrNull(recoveryRate, forKey: .recoveryRate)
    }

    package init(row: PostgresRow) throws {
        agency = try row["agency_name"]
        commissionBP = Int(try row["commission_bp"] as Int32)
        currency = try row["currency"]
        placedMinor = try row["placed_minor"]
        collectedMinor = try row["collected_minor"]
        commissionMinor = try row["commission_minor"]
        recoveryRate = try row["recovery_rate"]
    }
}

extension AgencyRecovery {
    /// Every agency of `tenant` as of `asOf`, in a transaction with the tenant set.
    static func all(tenant: UUID, asOf: CalendarDate, in tx: PostgresConnection) async throws -> [AgencyRecovery] {
        try await tx.query("SELECT * FROM report_agency_recovery(\(tenant), \(asOf))").map(AgencyRecovery.init(row:))
    }
}
