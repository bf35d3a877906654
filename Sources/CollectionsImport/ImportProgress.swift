import Foundation
import Postgres

/// Where an import is, for a progress display.
public struct ImportProgress: Sendable {
    public enum Phase: String, Sendable {
        /// Reading and staging the file.
        case reading
        /// Checking the rows against the tenant's data.
        case checking
        /// Writing the good rows.
        case writing
        /// Writing the rejects file.
        case rejects
    }

    public var phase: Phase
    /// Rows read so far (reading), or rows to check or write.
    public var rows: Int
    public var bytesRead: Int64
    /// Nil when the size is unknown (a pipe).
    public var totalBytes: Int64?
}
