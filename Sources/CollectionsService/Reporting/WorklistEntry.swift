import Foundation
import Postgres

/// A client to contact, its score and the reasons, which add up to the score.
public struct WorklistEntry: Sendable, Codable, Equatable {
    public struct Amount: Sendable, Codable, Equatable {
        public var currency: String
        public var amountMinor: Int64

        public init(currency: String, amountMinor: Int64) {
            self.currency = currency
            self.amountMinor = amountMinor
        }

        public var money: Money { Money(amountMinor: amountMinor, currency: currency) }

        enum CodingKeys: String, CodingKey {
            case currency
            case amountMinor = "amount_minor"
        }
    }

    /// 1 for the first client to contact.
    public var rank: Int
    public var clientRef: String
    public var clientName: String
    public var collector: String?
    public var score: Int
    /// Undisputed overdue balance per currency, by currency code.
    public var overdue: [Amount]
    /// Of the oldest undisputed overdue invoice; nil with nothing overdue.
    public var oldestDaysPastDue: Int?
    public var reasons: [WorklistReason]
    /// When the contact rules let a collector call next.
    public var nextContact: NextContact?

    public init(
        rank: Int, clientRef: String, clientName: String, collector: String?, score: Int, overdue: [Amount],
        oldestDaysPastDue: Int?, reasons: [WorklistReason], nextContact: NextContact? = nil
    ) {
        self.rank = rank
        self.clientRef = clientRef
        self.clientName = clientName
        self.collector = collector
        self.score = score
        self.overdue = overdue
        self.oldestDaysPastDue = oldestDaysPastDue
        self.reasons = reasons
        self.nextContact = nextContact
    }

    enum CodingKeys: String, CodingKey {
        case rank
        case clientRef = "client_ref"
        case clientName = "client_name"
        case collector, score, overdue
        case oldestDaysPastDue = "oldest_days_past_due"
        case reasons
        case nextContact = "next_contact"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(clientRef, forKey: .clientRef)
        try container.encode(clientName, forKey: .clientName)
        try container.encodeOrNull(collector, forKey: .collector)
        try container.encode(score, forKey: .score)
        try container.encode(overdue, forKey: .overdue)
        try container.encodeOrNull(oldestDaysPastDue, forKey: .oldestDaysPastDue)
        try container.encode(reasons, forKey: .reasons)
        try container.encodeOrNull(nextContact, forKey: .nextContact)
    }
}
