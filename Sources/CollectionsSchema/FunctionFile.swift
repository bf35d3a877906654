import Crypto
import Foundation

/// A repeatable function file of sql/functions/: `CREATE OR REPLACE` definitions,
/// applied whenever the text changes, so the deployed text of each function is
/// always its file's (DESIGN.md "One rule, one place").
public struct FunctionFile: Sendable, Equatable {
    /// The file name, e.g. `report_day.sql`.
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the SQL text (without trailing newlines), hex.
    public var checksum: String {
        SHA256.hash(data: Data(sql.trimmingTrailingNewlines().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every function file the binary carries, by name.
    public static let all: [FunctionFile] = EmbeddedMigrations.functions
        .map { FunctionFile(name: $0.name, sql: $0.sql) }
        .sorted { $0.name < $1.name }
}
