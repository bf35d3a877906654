public import Foundation
public import Postgres

/// A client's balance, or some of its invoices, handed to an agency on a day,
/// until it is recalled.
public struct Placement: Sendable, Codable, Equatable {
    /// One placed invoice and what it owed when it was placed.
    public struct PlacedInvoice: Sendable, Codable, Equatable {
        public var number: String
        public var placed: Money

        public init(number: String, placed: Money) {
            self.number = number
            self.placed = placed
        }
    }

    public var id: UUID
    public var clientRef: String
    public var agency: String
    /// The client's whole balance (its status is `agency` meanwhile), or only the invoices listed.
    public var wholeClient: Bool
    public var placedOn: CalendarDate
    public var recalledOn: CalendarDate?
    public var invoices: [PlacedInvoice]
    /// What the agency's remittances on it add up to, per currency, and the commission on them.
    public var collected: [Money]
    public var commission: [Money]
}
