import CollectionsService
import CSV
import Foundation

/// Rows for a person (aligned columns) or a spreadsheet (CSV).
public struct Table: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns aligned right (amounts, counts).
    public var numeric: Set<Int>

    public init(headers: [String], rows: [[String]], numeric: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.numeric = numeric
    }

    /// Aligned columns for a terminal. Control characters in a cell (a crafted client
    /// name's ESC sequences, a note's line breaks) are shown as `\x1b`-style escapes
    /// (`ControlCharacters.escaped`), never sent to the terminal as they are.
    public func render() -> String {
        let headers = self.headers.map(ControlCharacters.escaped)
        let rows = self.rows.map { $0.map(ControlCharacters.escaped) }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return numeric.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        // Bold headers, only for a person at a terminal.
        let header = isatty(STDOUT_FILENO) == 1 ? "\u{1B}[1m" + line(headers) + "\u{1B}[0m" : line(headers)
        var out = [header, line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 with formulas neutralised (`CSVWriter`, shared with the rejects file);
    /// verbatim (`defusingFormulas: false`) only for a file a program reads back.
    public func csv(defusingFormulas: Bool = true) -> String {
        ([headers] + rows).map { CSVWriter.record($0, defusingFormulas: defusingFormulas) }.joined(separator: "\n") + "\n"
    }
}
