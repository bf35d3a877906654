import Foundation
import Postgres

/// Input checks shared by the ledger operations, in a collector's words. They run
/// before any SQL, so most refusals never reach a constraint; the constraints of
/// sql/0001 remain the backstop (see `ServiceError.constraintViolation`).
package enum Check {
    /// Trimmed text of `range` characters, or a refusal naming the field.
    /// Characters are counted as the database's `char_length` counts them, in
    /// Unicode code points: a Swift `count` of grapheme clusters would let an
    /// accented name written with combining marks past this check and into
    /// the constraint. Control characters are refused (`ControlCharacters`, the
    /// importer's rule too); `lineBreaks` allows tab, line feed and carriage return.
    package static func text(_ value: String, _ field: String, _ range: ClosedRange<Int>, lineBreaks: Bool = false) throws -> String {
        let trimmed = value.trimmingASCIIWhitespace()
        let length = trimmed.unicodeScalars.count
        guard range.contains(length) else {
            if trimmed.isEmpty { throw ServiceError.invalid("\(field) is required") }
            throw ServiceError.invalid("\(field) is \(length) characters long; at most \(range.upperBound) are allowed")
        }
        if let refusal = ControlCharacters.refusal(inUTF8: trimmed.utf8, allowingLineBreaks: lineBreaks) {
            throw ServiceError.invalid("\(field) \(refusal)")
        }
        return trimmed
    }

    /// Optional text: blank is absent.
    package static func optionalText(
        _ value: String?, _ field: String, _ range: ClosedRange<Int>, lineBreaks: Bool = false
    ) throws -> String? {
        guard let value, !value.trimmingASCIIWhitespace().isEmpty else { return nil }
        return try text(value, field, range, lineBreaks: lineBreaks)
    }

    package static func actor(_ actor: String) throws -> String {
        try text(actor, "the actor (who makes the change)", 1...200)
    }

    package static func limit(_ limit: Int) throws -> Int {
        guard (1...1000).contains(limit) else { throw ServiceError.invalid("limit must be 1-1000, not \(limit)") }
        return limit
    }

    package static func positive(_ amount: Money, _ what: String) throws {
        try Currency.validate(amount.currency)
        guard amount.amountMinor > 0 else {
            throw ServiceError.invalid("\(what) must be greater than 0, not \(amount.formatted)")
        }
    }
}
