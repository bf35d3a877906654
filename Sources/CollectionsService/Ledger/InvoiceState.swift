import Foundation
public import Postgres

/// An invoice as of a date: what was charged, paid and written off by then, what
/// is owed, and its status.
public struct InvoiceState: Sendable, Codable, Equatable {
    public var invoice: Invoice
    public var asOf: CalendarDate
    public var chargesMinor: Int64
    /// Applied by payments not reversed on or before `asOf`.
    public var appliedMinor: Int64
    public var writtenOffMinor: Int64
    /// Credit notes: upheld disputes' credits (not bad debt).
    public var creditedMinor: Int64
    /// amount + charges - applied - written off - credited; 0 when void or not yet issued.
    public var balance: Money
    public var status: InvoiceStatus
    /// A dispute is open on `asOf` (whatever the balance).
    public var disputed: Bool
    /// What of the balance the open disputes hold out of collection (`report_disputed_minor`).
    public var disputedMinor: Int64
    /// `asOf - due date` when something is owed and that is positive, else 0.
    public var daysPastDue: Int

    public var isOverdue: Bool { daysPastDue > 0 }

    init(row: PostgresRow) throws {
        invoice = try Invoice(row: row)
        asOf = try row["as_of"]
        chargesMinor = try row["charges_minor"]
        appliedMinor = try row["applied_minor"]
        writtenOffMinor = try row["written_off_minor"]
        creditedMinor = try row["credited_minor"]
        balance = Money(amountMinor: try row["balance_minor"], currency: invoice.currency)
        status = InvoiceStatus(rawValue: try row["status"]) ?? .open
        disputed = try row["disputed"]
        disputedMinor = try row["disputed_minor"]
        daysPastDue = try row["days_past_due"]
    }
}
