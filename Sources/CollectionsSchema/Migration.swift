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

    /// Checksums of earlier texts of the two migrations that were edited after
    /// they had landed (before landed migrations were checked: sql/landed.txt),
    /// which a database migrated at the commits between may have recorded. Both
    /// edits changed function bodies only, and sql/functions/ now defines those
    /// functions (worker_accrue_late_fees, worker_decide_promises,
    /// worker_break_bounced_promises), so such a database ends up exactly like
    /// a new one once the function files are applied.
    public static let earlierChecksums: [String: Set<String>] = [
        // 0006 at f148bdb and 511f739, before late-fee periods were clamped to month ends (4fcedb1).
        "0006_worker_indexes.sql": [
            "149b9cee666af66bdc1d58420d4bc385d357de1156d35f8fbd7579d6c429adc3",
            "bd8768e35fa6a0092990856304e3ffe03883f3a0418e6809256cad98c605c0ac",
        ],
        // 0010 at 1122a39, which redefined worker_decide_promises with the bounced
        // cheques as a step of its own, before it became worker_break_bounced_promises (b343f44).
        "0010_bounced_promises.sql": ["e6c1569d722b0a93126eaf607cc9899f54132f2fafc91a3928d5f459a4cec6ff"],
        // 0013 at 0ba6ab5, edited after it landed at ebaf379 (its check function took its
        // tenant from the setting); the edit was reverted and the function's text lives in
        // sql/functions/payment_applications_check_rows.sql, which both texts end with.
        "0013_payment_applications_checked_per_statement.sql": [
            "79e79a523584e79a0d2fa9c52bf32ed627fc1361a1c806adf18991a0941258d2",
        ],
    ]

    /// Whether `recorded` (a checksum in schema_migrations) is this migration's
    /// text, now or in one of its accepted earlier texts.
    public func matches(recorded: String) -> Bool {
        recorded == checksum || Self.earlierChecksums[name]?.contains(recorded) == true
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
