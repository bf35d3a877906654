import Foundation
import Postgres

/// A partial update: `nil` leaves a field as it is. For a field that may be
/// empty, `.some(nil)` clears it (`changes.email = .some(nil)`), and a plain
/// value sets it (`changes.email = "ap@acme.test"`).
public struct ClientChanges: Sendable, Codable, Equatable {
    public var name: String?
    public var email: String??
    public var phone: String??
    public var preferredChannel: ContactChannel??
    public var doNotContact: Bool?
    public var paymentTermsDays: Int?
    public var currency: String??
    /// Sets the limit (and the client's currency to the limit's), or clears it.
    public var creditLimit: Money??
    public var status: Client.Status?
    public var assignedCollector: String??
    public var kind: ClientKind??
    public var timeZone: String??

    public init(
        name: String? = nil, email: String?? = nil, phone: String?? = nil,
        preferredChannel: ContactChannel?? = nil, doNotContact: Bool? = nil, paymentTermsDays: Int? = nil,
        currency: String?? = nil, creditLimit: Money?? = nil, status: Client.Status? = nil,
        assignedCollector: String?? = nil, kind: ClientKind?? = nil, timeZone: String?? = nil
    ) {
        self.name = name
        self.email = email
        self.phone = phone
        self.preferredChannel = preferredChannel
        self.doNotContact = doNotContact
        self.paymentTermsDays = paymentTermsDays
        self.currency = currency
        self.creditLimit = creditLimit
        self.status = status
        self.assignedCollector = assignedCollector
        self.kind = kind
        self.timeZone = timeZone
    }
}
