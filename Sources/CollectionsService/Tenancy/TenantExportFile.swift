/// One file of a tenant's export: a table of the import files' columns (CSV), or
/// a table's every row as JSON lines.
public struct TenantExportFile: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// A header and rows, for `collections-admin import` to read back.
        case table(headers: [String], rows: [[String]])
        /// One JSON object per line: a row as stored, without its tenant.
        case jsonLines([String])
    }

    /// The file's name in the export folder (`clients.csv`, `disputes.jsonl`).
    public var name: String
    public var content: Content

    /// How many records the file holds.
    public var count: Int {
        switch content {
        case .table(_, let rows): rows.count
        case .jsonLines(let lines): lines.count
        }
    }
}
