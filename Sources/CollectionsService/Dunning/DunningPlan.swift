public import Foundation
public import Postgres

/// What a day's dunning sends and suppresses, and why (DESIGN.md `report
/// dunning-plan`): one message per client, channel and day with every invoice it
/// is about and every plan instalment it reminds of; each suppression with the
/// rule that refused it, in words.
///
/// A day's messages are queued by the worker's run of the day before (serve makes
/// it just after local midnight): once that run is done, the plan is what it
/// stored; before, what it would store now. Both come from `dunning_plan`, the one
/// gate.
public struct DunningPlan: Sendable, Codable, Equatable {
    public struct Amount: Sendable, Codable, Equatable {
        public var currency: String
        public var amountMinor: Int64
    }

    public struct Message: Sendable, Codable, Equatable {
        public var clientRef: String
        public var channel: DunningChannel
        /// The last step, in the policy's order, of those its lines are at.
        public var step: String
        public var template: String
        public var invoices: [String]
        /// The plan instalments it reminds of, "PLAN-ID#SEQ" (sql/0024).
        public var instalments: [String]
        /// The currency and total when the invoices share one (nearly always); else
        /// null, and `amounts` has a total per currency.
        public var currency: String?
        public var amountMinor: Int64?
        public var amounts: [Amount]
        public var address: String?
        /// The client's zone and the day's contact hours in it.
        public var timeZone: String
        public var sendFrom: Date
        public var sendUntil: Date
    }

    public struct Suppression: Sendable, Codable, Equatable {
        public var clientRef: String
        public var channel: DunningChannel
        public var step: String
        public var invoices: [String]
        public var instalments: [String]
        public var rule: String
        public var reason: String
    }

    public var tenant: String
    public var asOf: CalendarDate
    public var policyVersion: Int
    /// True when the worker has run the day before, which queued this day's
    /// messages: these are the rows it stored.
    public var decided: Bool
    public var messages: [Message]
    public var suppressed: [Suppression]
}
