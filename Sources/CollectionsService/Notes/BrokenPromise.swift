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
        (noteID, clientRef, invoiceNumber, promised, promiseDate, paid) = try row.promiseColumns()
        notedAt = try row["noted_at"]
        decidedOn = try row["decided_on"]
    }
}
