public import Foundation
import Postgres

/// A lender sharing the instance, and its collection settings.
public struct Tenant: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case active, suspended }

    public var id: UUID
    public var slug: String
    public var name: String
    public var defaultCurrency: String?
    public var timeZone: String
    public var status: Status
    public var createdAt: Date
    public var suspendedAt: Date?
    /// Upper limits (days past due) of the past-due buckets: {30,60,90} gives
    /// 1-30, 31-60, 61-90 and 91+.
    public var ageingBucketLimits: [Int]
    public var dsoPeriodDays: Int
    public var ceiPeriodDays: Int
    public var promiseGraceDays: Int
    /// Days relative to the due date on which an open invoice gets a reminder:
    /// negative before it, positive after (sql/0009).
    public var reminderOffsets: [Int]
    /// The kind of a client that has none of its own (sql/0014).
    public var clientKind: ClientKind
    /// A commercial client gets at most `commercialCapMessages` dunning messages in
    /// `commercialCapDays` days.
    public var commercialCapMessages: Int
    public var commercialCapDays: Int
    /// The address its emails come from (sql/0015); nil: the sender's default.
    public var emailFrom: String?

    static let columns = """
        id, slug, name, default_currency, time_zone, status, created_at, suspended_at,
        ageing_bucket_limits, dso_period_days, cei_period_days, promise_grace_days, reminder_offsets,
        client_kind, commercial_cap_messages, commercial_cap_days, email_from
        """

    init(row: PostgresRow) throws {
        id = try row["id"]
        slug = try row["slug"]
        name = try row["name"]
        defaultCurrency = try row["default_currency"]
        timeZone = try row["time_zone"]
        status = Status(rawValue: try row["status"]) ?? .suspended
        createdAt = try row["created_at"]
        suspendedAt = try row["suspended_at"]
        ageingBucketLimits = try row["ageing_bucket_limits"]
        dsoPeriodDays = try row["dso_period_days"]
        ceiPeriodDays = try row["cei_period_days"]
        promiseGraceDays = try row["promise_grace_days"]
        reminderOffsets = try row["reminder_offsets"]
        clientKind = try row.decodeKnown(ClientKind.self, column: "client_kind", "client kind")
        commercialCapMessages = try row["commercial_cap_messages"]
        commercialCapDays = try row["commercial_cap_days"]
        emailFrom = try row["email_from"]
    }
}
