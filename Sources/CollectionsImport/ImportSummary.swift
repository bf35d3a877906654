import Foundation
import Postgres

/// What an import did. `rowsRead = inserted + unchanged + rejected`.
public struct ImportSummary: Sendable, Codable, Equatable {
    public var kind: ImportKind
    public var file: String
    /// Data rows in the file (the header and empty lines are not rows).
    public var rowsRead: Int
    /// Rows written (for a dry run: that would have been written).
    public var inserted: Int
    /// Rows already present with the same details: nothing to do.
    public var unchanged: Int
    /// Bad rows, not imported (listed in the rejects file when one was asked for).
    public var rejected: Int
    public var dryRun: Bool
    public var rejectsFile: String?
    public var seconds: Double
    /// Where the time went: `reading` (parsing and staging the file), `checking`,
    /// `writing` (and, with a rejects file, `rejects`).
    public var phaseSeconds: [String: Double]
}
