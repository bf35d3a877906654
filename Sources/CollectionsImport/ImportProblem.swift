import Foundation
import Postgres

/// A problem with one row: the line, the column (nil: the row as a whole), why.
public struct ImportProblem: Sendable, Equatable, Codable {
    public var line: Int
    public var column: String?
    public var reason: String
}
