import Foundation
import Postgres

/// Who started the contact. Same values as the `direction` check of sql/0001.
public enum ContactDirection: String, Sendable, Codable, CaseIterable {
    case inbound, outbound
}
