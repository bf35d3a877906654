import Foundation
public import Postgres

/// One invoice of a dunning message the daily worker queued (sql/0014): before it
/// falls due, or after, on the day a step of the tenant's policy names.
public struct Reminder: Sendable, Codable, Equatable {
    public var scheduledOn: CalendarDate
    public var clientRef: String
    public var clientName: String
    public var invoiceNumber: String
    public var dueOn: CalendarDate
    /// Days from the due date: negative before it, positive after.
    public var offsetDays: Int
    public var channel: String
    /// Where the channel reaches the client (email address or phone), when known.
    public var address: String?
    public var balance: Money

    /// "3 days before due", "due today", "7 days past due".
    public var timing: String { Self.timing(offsetDays: offsetDays) }

    /// The words for an offset from the due date, in reports and messages alike.
    public static func timing(offsetDays: Int) -> String {
        switch offsetDays {
        case ..<(-1): return "\(-offsetDays) days before due"
        case -1: return "1 day before due"
        case 0: return "due today"
        case 1: return "1 day past due"
        default: return "\(offsetDays) days past due"
        }
    }

    init(row: PostgresRow) throws {
        scheduledOn = try row["scheduled_on"]
        clientRef = try row["client_ref"]
        clientName = try row["client_name"]
        invoiceNumber = try row["invoice_number"]
        dueOn = try row["due_on"]
        offsetDays = Int(try row["offset_days", as: Int32.self])
        channel = try row["channel"]
        address = try row["address"]
        balance = Money(amountMinor: try row["balance_minor"], currency: try row["currency"])
    }
}
