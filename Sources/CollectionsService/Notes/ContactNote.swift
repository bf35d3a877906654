public import Foundation
public import Postgres

/// A collector's note of one contact with a client (a call, an email, a visit...),
/// optionally about one of the client's invoices.
public struct ContactNote: Sendable, Codable, Equatable {
    public var id: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    /// When the contact happened.
    public var notedAt: Date
    /// `notedAt` as a date in the tenant's time zone: the day the note counts for
    /// (a promise is made on it, a satisfaction score falls in a period by it).
    public var notedOn: CalendarDate
    public var channel: ContactChannel
    public var direction: ContactDirection
    public var author: String?
    public var body: String?
    public var outcome: ContactOutcome?
    /// Set exactly when `outcome` is `.promiseToPay`.
    public var promise: PromiseToPay?
    /// The client's satisfaction, 1 (worst) to 5 (best), when asked.
    public var satisfaction: Int?
    public var followUpOn: CalendarDate?
    public var createdAt: Date

    static let columns = """
        n.id, c.ref AS client_ref, i.number AS invoice_number, n.noted_at,
        local_date(n.noted_at, t.time_zone) AS noted_on, n.channel, n.direction, n.author, n.body,
        n.outcome, n.promise_amount_minor, n.promise_currency, n.promise_date, n.satisfaction, n.follow_up_on,
        n.created_at
        """

    /// The notes with what `columns` reads; `n` is contact_notes. Each joined
    /// table names `tenant`; the caller's `WHERE` names it for `n`.
    static func from(_ tenant: UUID) -> SQL {
        """
        contact_notes n
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = n.client_id
        JOIN tenants t ON t.id = \(tenant)
        LEFT JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = n.invoice_id
        """
    }

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientRef = try row["client_ref"]
        invoiceNumber = try row["invoice_number"]
        notedAt = try row["noted_at"]
        notedOn = try row["noted_on"]
        channel = try row.decodeKnown(column: "channel", "contact channel")
        direction = ContactDirection(rawValue: try row["direction"]) ?? .outbound
        author = try row["author"]
        body = try row["body"]
        outcome = (try row["outcome", as: String?.self]).flatMap(ContactOutcome.init(rawValue:))
        if let minor: Int64 = try row["promise_amount_minor"], let currency: String = try row["promise_currency"],
           let date: CalendarDate = try row["promise_date"] {
            promise = PromiseToPay(amount: Money(amountMinor: minor, currency: currency), date: date)
        } else {
            promise = nil
        }
        satisfaction = try row["satisfaction"]
        followUpOn = try row["follow_up_on"]
        createdAt = try row["created_at"]
    }
}
