import Foundation
import Postgres

/// What creating a client takes: `ref` and `name`, the rest optional.
public struct NewClient: Sendable, Codable, Equatable {
    public var ref: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var preferredChannel: ContactChannel?
    public var doNotContact: Bool
    public var paymentTermsDays: Int
    /// The client's currency; taken from `creditLimit` when that is given.
    public var currency: String?
    public var creditLimit: Money?
    public var status: Client.Status
    public var assignedCollector: String?
    public var kind: ClientKind?
    public var timeZone: String?
    /// Recorded consent to texts at the client's phone, from the moment it is created.
    public var smsConsent: Bool

    public init(
        ref: String, name: String, email: String? = nil, phone: String? = nil,
        preferredChannel: ContactChannel? = nil, doNotContact: Bool = false, paymentTermsDays: Int = 30,
        currency: String? = nil, creditLimit: Money? = nil, status: Client.Status = .active,
        assignedCollector: String? = nil, kind: ClientKind? = nil, timeZone: String? = nil, smsConsent: Bool = false
    ) {
        self.ref = ref
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
        self.smsConsent = smsConsent
    }
}
