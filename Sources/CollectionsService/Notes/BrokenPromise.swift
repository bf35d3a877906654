public import Foundation
public import Postgres

/// A promise the daily worker decided was broken (stored in `promise_outcomes`).
public struct BrokenPromise: Sendable, Codable, Equatable {
    public var noteID: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    public var notedAt: Date
    public var promised: Money
    public var promiseDate: CalendarDate
    /// The day after the promise date plus grace: when it was found broken.
    public var decidedOn: CalendarDate
    /// What the client had paid towards it by then.
    public var paid: Money

    init(row: PostgresRow) throws {
        noteID = try row["note_id"]
        clientRef = try row["client_ref"]
        invoiceNumber = try row["invoice_number"]
        notedAt = try row["noted_at"]
        let currency: String = try row["promise_currency"]
        promised = Money(amountMinor: try row["promise_amount_minor"], currency: currency)
        promiseDate = try row["promise_date"]
        decidedOn = try row["decided_on"]
        paid = Money(amountMinor: try row["paid_minor"], currency: currency)
    }
}
