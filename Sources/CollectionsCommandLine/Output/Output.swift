public import Foundation
import CollectionsService

/// The one place a command's result is printed: JSON (the value itself, snake_case
/// keys, ISO 8601 dates) for a program, else its table, as CSV for a spreadsheet or
/// aligned for a person, with optional text around the table (and instead of an
/// empty one, `instead`) for a person only.
public func emit(
    _ value: some Encodable, format: OutputFormat, table: () -> Table,
    before: String = "", after: String = "", instead: String? = nil
) throws {
    switch format {
    case .json: try printJSON(value)
    case .csv: printOut(table().csv())
    case .table: printOut(before + (instead ?? table().render()) + after)
    }
}

/// The value as `ReportJSON` encodes it, the HTTP API's reports included.
public func printJSON(_ value: some Encodable) throws {
    FileHandle.standardOutput.write(try ReportJSON.document(value))
}

public func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

public func printTable(_ table: Table, format: OutputFormat) {
    printOut(format == .csv ? table.csv() : table.render())
}

public func isoTimestamp(_ date: Date?) -> String {
    guard let date else { return "" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
