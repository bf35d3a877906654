import CollectionsService
import Foundation
import Postgres

/// A column of an import format and the shape its values must have.
struct ImportColumn: Sendable {
    enum Value: Sendable {
        /// Text of 1...max characters (Unicode scalars, as PostgreSQL counts them),
        /// without control characters (`ControlCharacters`); `lineBreaks`: but for tab,
        /// line feed and carriage return (a note's body).
        case text(max: Int, lineBreaks: Bool = false)
        /// An email address: 3-254 characters with an `@` and no blanks.
        case email
        /// An ISO 4217 code; upper-cased here, checked against `currencies` in SQL.
        case currency
        /// A decimal amount in major units (`1234.56`); its decimals are checked
        /// against the currency's exponent in SQL. `zero`: 0 is allowed.
        case amount(zero: Bool)
        /// `YYYY-MM-DD`, a real calendar date.
        case date
        /// `YYYY-MM-DD` (midnight in the tenant's time zone) or an ISO 8601 date
        /// and time, with or without an offset (without: the tenant's time zone).
        case timestamp
        /// Whole number in range.
        case integer(ClosedRange<Int>)
        /// One of these words, any case.
        case choice([String])

        /// The staging column's type.
        var sqlType: String {
            switch self {
            case .text, .email, .currency, .choice: "text"
            case .amount: "numeric"
            case .date: "date"
            case .timestamp: "timestamptz"
            case .integer: "int"
            }
        }
    }

    let name: String
    let value: Value
    let required: Bool

    init(_ name: String, _ value: Value, required: Bool = false) {
        self.name = name
        self.value = value
        self.required = required
    }
}
