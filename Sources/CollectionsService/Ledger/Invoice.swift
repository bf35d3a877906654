public import Foundation
public import Postgres

/// An invoice as issued (and voided, if it was). Its balance depends on the date
/// asked about: see `InvoiceState`.
public struct Invoice: Sendable, Codable, Equatable {
    public var id: UUID
    public var clientID: UUID
    public var clientRef: String
    /// Unique per tenant.
    public var number: String
    public var currency: String
    public var amountMinor: Int64
    public var issuedOn: CalendarDate
    public var dueOn: CalendarDate
    public var lateFee: LateFeePolicy
    public var voidedOn: CalendarDate?
    public var voidReason: String?

    public var amount: Money { Money(amountMinor: amountMinor, currency: currency) }

    static let columns = """
        i.id, i.client_id, c.ref AS client_ref, i.number, i.currency, i.amount_minor, i.issued_on, i.due_on,
        i.late_fee_policy, i.late_fee_flat_minor, i.late_fee_percent_bp, i.late_fee_grace_days,
        i.voided_on, i.void_reason
        """

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientID = try row["client_id"]
        clientRef = try row["client_ref"]
        number = try row["number"]
        currency = try row["currency"]
        amountMinor = try row["amount_minor"]
        issuedOn = try row["issued_on"]
        dueOn = try row["due_on"]
        let grace: Int = try row["late_fee_grace_days"]
        switch try row["late_fee_policy", as: String.self] {
        case "flat": lateFee = .flat(amountMinor: try row["late_fee_flat_minor"], graceDays: grace)
        case "percent": lateFee = .percent(basisPointsPerMonth: try row["late_fee_percent_bp"], graceDays: grace)
        default: lateFee = .none
        }
        voidedOn = try row["voided_on"]
        voidReason = try row["void_reason"]
    }
}
