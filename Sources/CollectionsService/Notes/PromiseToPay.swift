import Foundation
public import Postgres

/// A client's promise to pay `amount` by `date`, made in a contact note.
public struct PromiseToPay: Sendable, Codable, Equatable {
    public var amount: Money
    public var date: CalendarDate

    public init(amount: Money, date: CalendarDate) {
        self.amount = amount
        self.date = date
    }
}
