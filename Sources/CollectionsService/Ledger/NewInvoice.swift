import Foundation
public import Postgres

/// What issuing an invoice takes. Without `dueOn` it falls due the client's
/// payment terms after `issuedOn`.
public struct NewInvoice: Sendable, Codable, Equatable {
    public var clientRef: String
    public var number: String
    public var amount: Money
    public var issuedOn: CalendarDate
    public var dueOn: CalendarDate?
    public var lateFee: LateFeePolicy

    public init(
        clientRef: String, number: String, amount: Money, issuedOn: CalendarDate, dueOn: CalendarDate? = nil,
        lateFee: LateFeePolicy = .none
    ) {
        self.clientRef = clientRef
        self.number = number
        self.amount = amount
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.lateFee = lateFee
    }
}
