/// An amount of one currency, in integer minor units (cents for USD, yen for JPY,
/// fils for BHD).
///
/// Money never touches floating point: a decimal string is converted exactly by the
/// currency's exponent, and computed amounts (late fees, interest) are rounded
/// half-even, once, by `roundHalfEven` on integers. Two amounts are only ever
/// compared or added within one currency.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    public var amountMinor: Int64
    /// ISO 4217 code, e.g. `USD`.
    public var currency: String

    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// Which signs an amount may have where it is entered.
    public enum Sign: Sendable {
        /// Greater than zero: invoice, payment, write-off, charge amounts.
        case positive
        /// Zero or more: a credit limit.
        case nonNegative
        /// Any sign: adjustments and computed differences.
        case any
    }

    /// Parses a decimal string in major units, exactly: `"1234.56"` USD is 123456.
    ///
    /// Accepts digits with at most one `.` and, when `sign` allows it, a leading `-`.
    /// Refuses exponents, thousands separators, decimal commas, and more decimals
    /// than the currency has (`"12.345"` USD is an error, never a rounding).
    public init(parsing text: String, currency: String, sign: Sign = .positive) throws {
        let exponent = try Currency.exponent(of: currency)
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw ServiceError.invalid("an amount is required") }

        guard let parsed = AmountText.parse(Array(trimmed.utf8)[...]) else {
            throw ServiceError.invalid(AmountText.shapeRefusal(quoted: "\"\(trimmed)\""))
        }
        guard parsed.fraction.count <= exponent else {
            throw ServiceError.invalid("\(trimmed) has more decimals than \(currency) allows (\(exponent))")
        }
        if let refusal = AmountText.signRefusal(trimmed, parsed, sign: sign) { throw ServiceError.invalid(refusal) }

        let outOfRange = ServiceError.invalid("\(trimmed) \(currency) is out of range")
        var minor: Int64 = 0
        let padded = Array(parsed.whole) + Array(parsed.fraction) + Array(repeating: 48, count: exponent - parsed.fraction.count)
        for byte in padded {
            let (times10, overflow1) = minor.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times10.addingReportingOverflow(Int64(byte - 48))
            guard !overflow1, !overflow2 else { throw outOfRange }
            minor = plus
        }
        if parsed.negative { minor = -minor }
        self.init(amountMinor: minor, currency: currency)
    }

    /// The amount in major units without grouping or code, as files carry it:
    /// `"1234.56"`, `"-0.05"`, `"1200"` (JPY).
    public var plain: String {
        let exponent = (try? Currency.exponent(of: currency)) ?? 2
        let (whole, fraction) = Self.split(amountMinor.magnitude, exponent: exponent)
        let sign = amountMinor < 0 ? "-" : ""
        return exponent == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// For people: `"1,234.56 USD"`.
    public var formatted: String {
        let exponent = (try? Currency.exponent(of: currency)) ?? 2
        let (whole, fraction) = Self.split(amountMinor.magnitude, exponent: exponent)
        let grouped = Thousands.grouped(digits: whole)
        let sign = amountMinor < 0 ? "-" : ""
        return exponent == 0 ? "\(sign)\(grouped) \(currency)" : "\(sign)\(grouped).\(fraction) \(currency)"
    }

    public var description: String { formatted }

    private static func split(_ magnitude: UInt64, exponent: Int) -> (whole: String, fraction: String) {
        guard exponent > 0 else { return (String(magnitude), "") }
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let fraction = String(magnitude % scale)
        return (String(magnitude / scale), String(repeating: "0", count: exponent - fraction.count) + fraction)
    }
}
