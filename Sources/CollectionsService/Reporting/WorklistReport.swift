import Foundation
public import Postgres

/// The worklist of a day: who to contact, best first, and how many clients that
/// would have been on it were left off because they must not be chased.
public struct WorklistReport: Sendable, Codable, Equatable {
    /// Clients left off the list; each counted once, by the first that applies:
    /// closed, with an agency, do not contact.
    public struct Excluded: Sendable, Codable, Equatable {
        public var closed: Int
        public var agency: Int
        public var doNotContact: Int
        public var total: Int { closed + agency + doNotContact }

        public init(closed: Int, agency: Int, doNotContact: Int) {
            self.closed = closed
            self.agency = agency
            self.doNotContact = doNotContact
        }

        enum CodingKeys: String, CodingKey {
            case closed, agency
            case doNotContact = "do_not_contact"
        }
    }

    public var asOf: CalendarDate
    public var collector: String?
    /// The team asked for, when the list is a team's (its collectors' clients).
    public var team: String?
    public var rules: WorklistRules
    public var entries: [WorklistEntry]
    public var excluded: Excluded
}
