import Foundation
public import Postgres

/// Which invoices `Invoices.list` returns; every field narrows, nil means any.
public struct InvoiceFilter: Sendable, Codable, Equatable {
    public var clientRef: String?
    /// Status as of `asOf`.
    public var status: InvoiceStatus?
    /// Only invoices with something owed past their due date as of `asOf`.
    public var overdueOnly: Bool
    public var currency: String?
    /// The date states are computed for; nil is the tenant's today.
    public var asOf: CalendarDate?

    public init(
        clientRef: String? = nil, status: InvoiceStatus? = nil, overdueOnly: Bool = false, currency: String? = nil,
        asOf: CalendarDate? = nil
    ) {
        self.clientRef = clientRef
        self.status = status
        self.overdueOnly = overdueOnly
        self.currency = currency
        self.asOf = asOf
    }
}
