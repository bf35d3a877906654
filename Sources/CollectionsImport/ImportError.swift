import Foundation
import Postgres

/// An import that was refused: nothing was imported.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// The whole file was refused for one reason (empty, no header, not UTF-8, ...).
    public var message: String
    /// The bad rows, when that was the reason (at most `listed` of them).
    public var problems: [ImportProblem]
    /// How many rows were bad in all.
    public var badRows: Int

    public var description: String { message }

    static func file(_ message: String) -> ImportError { ImportError(message: message, problems: [], badRows: 0) }

    /// How many problems the message lists; the count says how many more there are.
    static let listed = 100
}
