/// Disputes opened by a day, counted per reason code, state and currency: what a
/// lender reports on (why clients dispute, and how disputes end).
public struct DisputeSummary: Sendable, Codable, Equatable {
    /// open, credit_note, write_off, rejected, or resolved (resolved before disputes had outcomes).
    public var state: String
    public var reasonCode: DisputeReason
    public var currency: String
    public var count: Int
    /// The disputes' amounts (what each asked to hold, not what is owed now).
    public var disputedMinor: Int64

    enum CodingKeys: String, CodingKey {
        case state, reasonCode = "reason_code", currency, count, disputedMinor = "disputed_minor"
    }
}
