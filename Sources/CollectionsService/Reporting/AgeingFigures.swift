/// The figures of one line of an ageing report, in one currency: the same for a
/// whole currency (`AgeingReport.Currency`) as for one client's share of it
/// (`ClientAgeingReport.Client`), so the two reports cannot drift apart in what
/// they show or how they name it.
public struct AgeingFigures: Sendable, Equatable, Codable {
    public var currency: String
    /// AR at the as-of date: current plus every bucket.
    public var totalMinor: Int
    /// Not yet due (days past due <= 0).
    public var currentMinor: Int
    public var buckets: [AgeingBucket]
    /// Balance of invoices in dispute at the as-of date (also in the buckets).
    public var disputedMinor: Int
    /// Payments received and not applied (nor reversed) by the as-of date.
    public var unappliedCreditMinor: Int

    public init(
        currency: String, totalMinor: Int, currentMinor: Int, buckets: [AgeingBucket], disputedMinor: Int,
        unappliedCreditMinor: Int
    ) {
        self.currency = currency
        self.totalMinor = totalMinor
        self.currentMinor = currentMinor
        self.buckets = buckets
        self.disputedMinor = disputedMinor
        self.unappliedCreditMinor = unappliedCreditMinor
    }

    enum CodingKeys: String, CodingKey {
        case currency
        case totalMinor = "total_minor"
        case currentMinor = "current_minor"
        case buckets
        case disputedMinor = "disputed_minor"
        case unappliedCreditMinor = "unapplied_credit_minor"
    }
}
