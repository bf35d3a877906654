import Foundation
import Postgres

/// How a client prefers to be (or was) contacted. Same values as the `channel`
/// checks of sql/0001.
public enum ContactChannel: String, Sendable, Codable, CaseIterable {
    case call, email, sms, letter, visit, portal
}
