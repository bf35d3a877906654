import CollectionsService
import Foundation

/// Rows for a person (aligned table), a spreadsheet (CSV) or a program (JSON).
struct Table {
    var headers: [String]
    var rows: [[String]]
    /// Columns aligned right (amounts, counts).
    var numeric: Set<Int> = []

    /// Aligned columns for a terminal. Control characters in a cell (a crafted client
    /// name's ESC sequences, a note's line breaks) are shown as `\x1b`-style escapes
    /// (`ControlCharacters.escaped`), never sent to the terminal as they are.
    func render() -> String {
        let headers = self.headers.map(ControlCharacters.escaped)
        let rows = self.rows.map { $0.map(ControlCharacters.escaped) }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return numeric.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        // Bold headers, only for a person at a terminal.
        let header = isatty(STDOUT_FILENO) == 1 ? "\u{1B}[1m" + line(headers) + "\u{1B}[0m" : line(headers)
        var out = [header, line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 with formulas neutralised (`CSVWriter`, shared with the rejects file).
    func csv() -> String {
        ([headers] + rows).map(CSVWriter.record).joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    encoder.keyEncodingStrategy = .convertToSnakeCase
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func printTable(_ table: Table, format: OutputFormat) {
    printOut(format == .csv ? table.csv() : table.render())
}

func isoTimestamp(_ date: Date?) -> String {
    guard let date else { return "" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
