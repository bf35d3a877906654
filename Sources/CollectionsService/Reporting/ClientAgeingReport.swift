public import Foundation
public import Postgres

/// `report ageing --by-client`: the same figures per client and currency, for the
/// clients with something to show (a balance, a disputed amount or credit).
public struct ClientAgeingReport: Sendable, Equatable, Codable {
    public var tenant: String
    public var asOf: CalendarDate
    /// Ordered by currency, then client ref.
    public var clients: [Client]

    public init(tenant: String, asOf: CalendarDate, clients: [Client]) {
        self.tenant = tenant
        self.asOf = asOf
        self.clients = clients
    }

    public struct Client: Sendable, Equatable, Codable {
        public var clientID: UUID
        public var clientRef: String
        public var clientName: String
        public var currency: String
        public var totalMinor: Int
        public var currentMinor: Int
        public var buckets: [AgeingBucket]
        public var disputedMinor: Int
        public var unappliedCreditMinor: Int

        public init(
            clientID: UUID, clientRef: String, clientName: String, currency: String, totalMinor: Int,
            currentMinor: Int, buckets: [AgeingBucket], disputedMinor: Int, unappliedCreditMinor: Int
        ) {
            self.clientID = clientID
            self.clientRef = clientRef
            self.clientName = clientName
            self.currency = currency
            self.totalMinor = totalMinor
            self.currentMinor = currentMinor
            self.buckets = buckets
            self.disputedMinor = disputedMinor
            self.unappliedCreditMinor = unappliedCreditMinor
        }

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case clientRef = "client_ref"
            case clientName = "client_name"
            case currency
            case totalMinor = "total_minor"
            case currentMinor = "current_minor"
            case buckets
            case disputedMinor = "disputed_minor"
            case unappliedCreditMinor = "unapplied_credit_minor"
        }
    }

    enum CodingKeys: String, CodingKey {
        case tenant
        case asOf = "as_of"
        case clients
    }
}
