public import Foundation
public import Postgres

/// A business that owes the tenant money.
public struct Client: Sendable, Codable, Equatable {
    /// Where the client stands in collection. Placing a client with an agency
    /// needs the agency and the date, so the case carries them.
    public enum Status: Sendable, Codable, Equatable {
        case active
        case onHold
        case agency(name: String, placedOn: CalendarDate)
        case closed

        var code: String {
            switch self {
            case .active: "active"
            case .onHold: "on_hold"
            case .agency: "agency"
            case .closed: "closed"
            }
        }
    }

    public var id: UUID
    /// The tenant's own key for the client, unique per tenant.
    public var ref: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var preferredChannel: ContactChannel?
    public var doNotContact: Bool
    /// Days from issue to due when an invoice gives no due date.
    public var paymentTermsDays: Int
    /// The client's currency; the credit limit, when set, is in it.
    public var currency: String?
    public var creditLimitMinor: Int64?
    public var status: Status
    public var assignedCollector: String?
    /// Consumer or commercial; nil: the tenant's `clientKind`.
    public var kind: ClientKind?
    /// The IANA zone of the client's contact hours; nil: the tenant's.
    public var timeZone: String?
    public var createdAt: Date
    public var updatedAt: Date

    public var creditLimit: Money? {
        guard let creditLimitMinor, let currency else { return nil }
        return Money(amountMinor: creditLimitMinor, currency: currency)
    }

    static let columns = """
        c.id, c.ref, c.name, c.email, c.phone, c.preferred_channel, c.do_not_contact, c.payment_terms_days,
        c.currency, c.credit_limit_minor, c.status, c.agency_name, c.agency_placed_on, c.assigned_collector,
        c.kind, c.time_zone, c.created_at, c.updated_at
        """

    init(row: PostgresRow) throws {
        id = try row["id"]
        ref = try row["ref"]
        name = try row["name"]
        email = try row["email"]
        phone = try row["phone"]
        preferredChannel = (try row["preferred_channel", as: String?.self]).flatMap(ContactChannel.init(rawValue:))
        doNotContact = try row["do_not_contact"]
        paymentTermsDays = try row["payment_terms_days"]
        currency = try row["currency"]
        creditLimitMinor = try row["credit_limit_minor"]
        switch try row["status", as: String.self] {
        case "on_hold": status = .onHold
        case "closed": status = .closed
        case "agency":
            status = .agency(name: try row["agency_name"], placedOn: try row["agency_placed_on"])
        default: status = .active
        }
        assignedCollector = try row["assigned_collector"]
        kind = (try row["kind", as: String?.self]).flatMap(ClientKind.init(rawValue:))
        timeZone = try row["time_zone"]
        createdAt = try row["created_at"]
        updatedAt = try row["updated_at"]
    }
}
