import Foundation
public import Postgres

/// How much of a payment went to which invoice, and on which date.
public struct PaymentApplication: Sendable, Codable, Equatable {
    public var paymentReference: String
    public var invoiceNumber: String
    public var amount: Money
    public var appliedOn: CalendarDate
}
