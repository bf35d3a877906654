import Foundation
import Postgres

/// One page of a keyset-paginated list.
///
/// Keyset (not OFFSET) pagination: the cursor is the last key of this page, and
/// the next page starts strictly after it, so rows added or removed meanwhile
/// never shift a page or repeat one.
public struct Page<Item: Sendable & Codable>: Sendable, Codable {
    public var items: [Item]
    /// Pass as `after:` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says
    /// that there is more.
    static func from(_ fetched: [Item], limit: Int, key: (Item) -> String) -> Page {
        guard fetched.count > limit else { return Page(items: fetched, nextCursor: nil) }
        let items = Array(fetched.prefix(limit))
        return Page(items: items, nextCursor: items.last.map(key))
    }
}

/// Input checks shared by the ledger operations, in a collector's words. They run
/// before any SQL, so most refusals never reach a constraint; the constraints of
/// sql/0001 remain the backstop (see `ServiceError.constraintViolation`).
enum Check {
    /// Trimmed text of `range` characters, or a refusal naming the field.
    /// Characters are counted as the database's `char_length` counts them, in
    /// Unicode code points: a Swift `count` of grapheme clusters would let an
    /// accented name written with combining marks past this check and into
    /// the constraint. Control characters are refused (`ControlCharacters`, the
    /// importer's rule too); `lineBreaks` allows tab, line feed and carriage return.
    static func text(_ value: String, _ field: String, _ range: ClosedRange<Int>, lineBreaks: Bool = false) throws -> String {
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
    static func optionalText(
        _ value: String?, _ field: String, _ range: ClosedRange<Int>, lineBreaks: Bool = false
    ) throws -> String? {
        guard let value, !value.trimmingASCIIWhitespace().isEmpty else { return nil }
        return try text(value, field, range, lineBreaks: lineBreaks)
    }

    static func actor(_ actor: String) throws -> String {
        try text(actor, "the actor (who makes the change)", 1...200)
    }

    static func limit(_ limit: Int) throws -> Int {
        guard (1...1000).contains(limit) else { throw ServiceError.invalid("limit must be 1-1000, not \(limit)") }
        return limit
    }

    static func positive(_ amount: Money, _ what: String) throws {
        try Currency.validate(amount.currency)
        guard amount.amountMinor > 0 else {
            throw ServiceError.invalid("\(what) must be greater than 0, not \(amount.formatted)")
        }
    }
}

enum Ledger {
    /// "Today" for the current tenant: the date in its IANA time zone.
    static func today(_ tx: PostgresConnection) async throws -> CalendarDate {
        let today = try await tx.query("""
            SELECT (now() AT TIME ZONE t.time_zone)::date FROM tenants t WHERE t.id = (SELECT current_tenant_id())
            """).scalar(CalendarDate.self)
        guard let today else { throw ServiceError(.suspended, "the tenant is suspended or does not exist") }
        return today
    }

    /// A pattern for ILIKE that matches `text` anywhere, literally: `%`, `_` and the
    /// escape character `\` in what the collector typed match only themselves.
    static func containsPattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}

extension ServiceError {
    /// A constraint violation from sql/0001 in a collector's words, or nil for any
    /// other error. Input checks catch nearly all of these first; this is what a
    /// race or a missed check still says, instead of a SQLSTATE.
    static func constraintViolation(_ error: any Error) -> ServiceError? {
        guard let error = error as? PostgresError else { return nil }
        let constraint = error.constraint ?? ""
        switch (error.kind, constraint) {
        case (.uniqueViolation, "clients_ref_key"):
            return .conflict("a client with that ref already exists")
        case (.uniqueViolation, "invoices_number_key"):
            return .conflict("an invoice with that number already exists")
        case (.uniqueViolation, "payments_reference_key"):
            return .conflict("a payment with that reference already exists")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_client_fkey"):
            return .notFound("no such client")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_invoice_fkey"):
            return .notFound("no such invoice")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_payment_fkey"):
            return .notFound("no such payment")
        case (.foreignKeyViolation, let name) where name.hasSuffix("currency_fkey"):
            return .invalid("unknown currency: use an ISO 4217 code such as USD")
        case (.checkViolation, "invoices_due_check"):
            return .invalid("the due date is before the issue date")
        case (.checkViolation, "invoices_void_check"):
            return .invalid("an invoice cannot be voided before it was issued")
        case (.checkViolation, "payments_reversal_check"):
            return .invalid("a payment cannot be reversed before it was received")
        case (.checkViolation, "disputes_resolved_check"):
            return .invalid("a dispute cannot be resolved before it was opened")
        case (.checkViolation, "payment_applications_currency_check"):
            return .refused(error.message + "; amounts are never applied across currencies")
        case (.checkViolation, "payment_applications_applied_on_check"):
            return .refused(error.message)
        case (.checkViolation, "clients_agency_check"):
            return .invalid("a client placed with an agency needs the agency's name and the placement date")
        case (.checkViolation, "clients_credit_limit_currency_check"):
            return .invalid("a credit limit needs a currency")
        case (.checkViolation, "contact_notes_promise_check"):
            return .invalid("a promise to pay needs an amount, a currency and a date, and only a promise has them")
        case (.checkViolation, _), (.notNullViolation, _):
            let column = error.column.map { " (\($0))" } ?? ""
            return .invalid("a value is out of range\(column): \(constraint.isEmpty ? error.message : constraint)")
        default:
            return nil
        }
    }
}

extension CollectionsDatabase {
    /// `withTenant`, with constraint violations turned into `ServiceError`s.
    func ledger<T>(
        _ tenant: UUID, readOnly: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withTenant(tenant, readOnly: readOnly, body)
        } catch let error as PostgresError {
            if let mapped = ServiceError.constraintViolation(error) { throw mapped }
            throw error
        }
    }
}
