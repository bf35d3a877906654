import Foundation
import Postgres

/// One reason a client is where it is on the worklist, and its points.
public struct WorklistReason: Sendable, Codable, Equatable, CustomStringConvertible {
    public var reason: String
    public var points: Int

    public init(reason: String, points: Int) {
        self.reason = reason
        self.points = points
    }

    /// `overdue 12,345.00 USD (+41)`
    public var description: String { "\(reason) (\(points < 0 ? "" : "+")\(points))" }
}
