import CollectionsService
import Foundation
import Postgres

/// Reading a body's fields with the import files' rules, each refusal naming
/// its field (422): amounts exact to the currency's decimals, real dates, ids
/// that are UUIDs (the generated layer hands `format: uuid` and `format: date`
/// over as plain strings).
enum RequestFields {
    static func money(_ text: String, currency: String, field: String) throws -> Money {
        do {
            try Currency.validate(currency)
        } catch let error as ServiceError {
            throw Problem.invalid("currency", error.message)
        }
        do {
            return try Money(parsing: text, currency: currency)
        } catch let error as ServiceError {
            throw Problem.invalid(field, error.message)
        }
    }

    static func date(_ text: String, field: String) throws -> CalendarDate {
        guard text.utf8.count == 10, let date = CalendarDate(text) else {
            throw Problem.invalid(field, "\"\(ControlCharacters.escaped(String(text.prefix(40))))\" is not a date (YYYY-MM-DD)")
        }
        return date
    }

    static func optionalDate(_ text: String?, field: String) throws -> CalendarDate? {
        try text.map { try date($0, field: field) }
    }

    /// A path id: not a UUID is a malformed request (400), not a missing thing.
    static func id(_ text: String) throws -> UUID {
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else {
            throw Problem.badRequest("id", "is not a UUID")
        }
        return id
    }

    /// Runs `body`, naming `field` in a service refusal of what it read.
    static func naming<T>(_ field: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ServiceError where error.kind == .invalid {
            throw Problem.invalid(field, error.message)
        }
    }
}
