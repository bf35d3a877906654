public import Foundation
public import Postgres

/// An amount of an invoice's balance given up as uncollectable, on a date.
public struct WriteOff: Sendable, Codable, Equatable {
    public var id: UUID
    public var invoiceNumber: String
    public var amount: Money
    public var writtenOffOn: CalendarDate
    public var reason: String
}
