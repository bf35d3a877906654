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
    /// A decimal text as the KPIs print ratios (two places), or nil.
    public var recoveryRate: Double?

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
