import Crypto
public import Foundation
public import Postgres

/// Money received from a client, and whether it was reversed (a bounced cheque).
public struct Payment: Sendable, Codable, Equatable {
    public var id: UUID
    public var clientRef: String
    /// Unique per tenant: the bank's or the import's reference.
    public var reference: String
    public var amount: Money
    public var receivedOn: CalendarDate
    public var method: String?
    /// From this date on, the payment and what it paid count for nothing.
    public var reversedOn: CalendarDate?
    public var reversalReason: String?

    package static let columns = """
        p.id, c.ref AS client_ref, p.reference, p.currency, p.amount_minor, p.received_on, p.method,
        p.reversed_on, p.reversal_reason
        """

    /// A payment as posting writes it: not reversed.
    init(id: UUID, clientRef: String, reference: String, amount: Money, receivedOn: CalendarDate, method: String?) {
        self.id = id
        self.clientRef = clientRef
        self.reference = reference
        self.amount = amount
        self.receivedOn = receivedOn
        self.method = method
    }

    package init(row: PostgresRow) throws {
        id = try row["id"]
        clientRef = try row["client_ref"]
        reference = try row["reference"]
        amount = Money(amountMinor: try row["amount_minor"], currency: try row["currency"])
        receivedOn = try row["received_on"]
        method = try row["method"]
        reversedOn = try row["reversed_on"]
        reversalReason = try row["reversal_reason"]
    }
}
