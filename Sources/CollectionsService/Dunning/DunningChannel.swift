import Foundation

/// How a dunning step reaches the client. Letters and calls become tasks on the
/// collector's worklist; email and SMS are sent. Same values as sql/0014.
public enum DunningChannel: String, Sendable, Codable, CaseIterable {
    case email, sms, letter, call
}
