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

    /// A currency's figures.
    public typealias Currency = AgeingFigures

    enum CodingKeys: String, CodingKey {
        case tenant
        case asOf = "as_of"
        case currencies
    }
}
