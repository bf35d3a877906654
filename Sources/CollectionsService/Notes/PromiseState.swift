public import Foundation
public import Postgres

/// Where a promise to pay stands on a date D (DESIGN.md, "Promise-kept rate").
///
/// Kept when the client's payments in the promise's currency, not reversed by D,
/// received from the day the promise was made (its note's date in the tenant's
/// time zone) to the promise date plus the tenant's grace days, and on or before
/// D, add up to the promised amount; broken when D is past the promise date plus
/// grace and it was not kept; open otherwise.
public struct PromiseState: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case open, kept, broken }

    public var noteID: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    /// The day the promise was made: its note's date in the tenant's time zone.
    public var madeOn: CalendarDate
    public var promised: Money
    public var promiseDate: CalendarDate
    /// The promise date plus the tenant's grace days: the last day a payment counts.
    public var deadline: CalendarDate
    /// What the counted payments add up to as of the date asked about.
    public var paid: Money
    public var state: State
    /// For a broken promise, the day it broke (the day after the deadline).
    public var brokenOn: CalendarDate? { state == .broken ? deadline.adding(days: 1) : nil }

    init(row: PostgresRow) throws {
        (noteID, clientRef, invoiceNumber, promised, promiseDate, paid) = try row.promiseColumns()
        madeOn = try row["made_on"]
        deadline = try row["deadline"]
        state = try row.decodeKnown(column: "state", "promise state")
    }
}
