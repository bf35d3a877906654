public import Foundation

/// The one JSON form of a report, shared by `--format json` and the HTTP API,
/// so both answer the same bytes for the same tenant and day (DESIGN.md "HTTP
/// API": reports answer exactly what the CLI prints): snake_case keys in sorted
/// order, pretty-printed, ISO 8601 timestamps, slashes unescaped, and a final
/// line break.
public enum ReportJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// The document as printed: the encoded value and a line break.
    public static func document(_ value: some Encodable) throws -> Data {
        var data = try encoder().encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
