import Crypto
import Foundation

/// One versioned schema change, as shipped inside the binary.
public struct Migration: Sendable, Equatable {
    public let version: Int
    /// The file name, e.g. `0001_core.sql`.
    public let name: String
    public let sql: String

    /// SHA-256 of the SQL text (without trailing newlines), hex.
    public var checksum: String {
        SHA256.hash(data: Data(sql.trimmingTrailingNewlines().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        self.version = Int(name.prefix(while: \.isNumber)) ?? 0
    }

    /// Every migration the binary carries, in order.
    public static let all: [Migration] = EmbeddedMigrations.files
        .map { Migration(name: $0.name, sql: $0.sql) }
        .sorted { $0.version < $1.version }

    /// Database-level setup run before the migrations (roles, schema ownership).
    public static let bootstrap: String = EmbeddedMigrations.bootstrap

    /// Line number and text of the statement around a 1-based character position,
    /// for an error message that points into the file.
    func statement(at position: Int) -> (line: Int, text: String) {
        let characters = Array(sql)
        let index = min(max(position - 1, 0), max(characters.count - 1, 0))
        let line = characters[..<index].filter { $0 == "\n" }.count + 1
        var start = index
        while start > 0, characters[start - 1] != ";" { start -= 1 }
        let rest = characters[start...]
        let end = rest.firstIndex(of: ";") ?? characters.endIndex
        let text = String(characters[start..<end])
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("--") }.joined(separator: " ")
        return (line, String(text.prefix(160)))
    }
}

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

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
