import Foundation
import Postgres

/// An amount for one invoice, in an explicit allocation.
public struct InvoiceAmount: Sendable, Codable, Equatable {
    public var invoiceNumber: String
    public var amount: Money

    public init(invoiceNumber: String, amount: Money) {
        self.invoiceNumber = invoiceNumber
        self.amount = amount
    }
}
