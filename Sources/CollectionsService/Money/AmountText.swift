/// THE shape of an amount as people and files write it: digits with an optional
/// decimal point and, where allowed, a leading minus, in major units. No exponent,
/// no thousands separator, no decimal comma. `Money(parsing:)` (the library, the
/// API) and the importer's row check read amounts through here, so they accept
/// and refuse the same texts in the same words.
package enum AmountText {
    package struct Parsed {
        package var negative: Bool
        package var whole: ArraySlice<UInt8>
        package var fraction: ArraySlice<UInt8>
        package var isZero: Bool { whole.allSatisfy { $0 == 48 } && fraction.allSatisfy { $0 == 48 } }
    }

    /// The parts of `bytes`, or nil when it is not shaped as an amount.
    package static func parse(_ bytes: ArraySlice<UInt8>) -> Parsed? {
        var digits = bytes
        let negative = digits.first == 45  // -
        if negative { digits = digits.dropFirst() }
        let point = digits.firstIndex(of: 46)  // .
        let whole = point.map { digits[digits.startIndex..<$0] } ?? digits
        let fraction = point.map { digits[($0 + 1)...] } ?? []
        let isDigits = { (s: ArraySlice<UInt8>) in s.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard !whole.isEmpty, isDigits(whole), isDigits(fraction), point == nil || !fraction.isEmpty else { return nil }
        return Parsed(negative: negative, whole: whole, fraction: fraction)
    }

    /// Why a text that is not shaped as an amount is refused; `quoted` is the
    /// text as the caller's message shows it.
    package static func shapeRefusal(quoted: String) -> String {
        "\(quoted) is not an amount: write digits with an optional decimal point, e.g. 1234.56 (no exponent, no thousands separator, no decimal comma)"
    }

    /// Why a well-shaped amount is refused for its sign, or nil.
    package static func signRefusal(_ text: String, _ parsed: Parsed, sign: Money.Sign) -> String? {
        let negative = parsed.negative && !parsed.isZero
        switch sign {
        case .positive where negative || parsed.isZero:
            return "\(text) is not a positive amount: it must be greater than 0"
        case .nonNegative where negative:
            return "\(text) is negative: the amount must be 0 or more"
        default:
            return nil
        }
    }
}
