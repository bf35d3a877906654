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

    enum CodingKeys: String, CodingKey {
        case tenant
        case asOf = "as_of"
        case clients
    }
}
