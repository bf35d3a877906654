import Foundation
public import Postgres

/// `report ageing --format json` (DESIGN.md "JSON reports"): per currency, the
/// balance at the as-of date by days past due.
public struct AgeingReport: Sendable, Equatable, Codable {
    /// The tenant's slug.
    public var tenant: String
    public var asOf: CalendarDate
    /// One entry per currency, ordered by currency code; never summed across.
    public var currencies: [Currency]

    public init(tenant: String, asOf: CalendarDate, currencies: [Currency]) {
        self.tenant = tenant
        self.asOf = asOf
        self.currencies = currencies
    }

    public struct Currency: Sendable, Equatable, Codable {
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

    enum CodingKeys: String, CodingKey {
        case tenant
        case asOf = "as_of"
        case currencies
    }
}
