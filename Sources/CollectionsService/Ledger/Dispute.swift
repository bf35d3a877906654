public import Foundation
public import Postgres

/// A dispute of part (or all) of an invoice, open from `openedOn` until `resolvedOn`.
/// While open it holds `amount` out of the collectible balance
/// (sql/functions/report_disputed_minor.sql).
public struct Dispute: Sendable, Encodable, Equatable {
    public var id: UUID
    public var invoiceNumber: String
    public var openedOn: CalendarDate
    public var reasonCode: DisputeReason
    public var reason: String
    public var amount: Money
    public var resolvedOn: CalendarDate?
    public var outcome: DisputeOutcome?
    public var resolution: String?
    /// The credit note or write-off an upheld dispute wrote (none when nothing was left owing).
    public var writeOffID: UUID?

    static let columns = """
        d.id, d.opened_on, d.reason_code, d.reason, d.amount_minor, d.resolved_on, d.outcome, d.resolution, d.write_off_id
        """

    init(row: PostgresRow, invoice: Invoice) throws {
        id = try row["id"]
        invoiceNumber = invoice.number
        openedOn = try row["opened_on"]
        reasonCode = DisputeReason(rawValue: try row["reason_code"]) ?? .other
        reason = try row["reason"]
        amount = Money(amountMinor: try row["amount_minor"], currency: invoice.currency)
        resolvedOn = try row["resolved_on"]
        outcome = try row["outcome", as: String?.self].flatMap(DisputeOutcome.init(rawValue:))
        resolution = try row["resolution"]
        writeOffID = try row["write_off_id"]
    }
}
