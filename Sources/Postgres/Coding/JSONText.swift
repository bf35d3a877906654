import Foundation

/// A `jsonb` value kept as its JSON text, for callers that pass JSON through.
public struct JSONText: PostgresCodable, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public func postgresText() -> String? { text }
    public static var postgresType: PostgresType { .jsonb }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .jsonb || type == .json else { return nil }
        self.text = text
    }

    /// `text` as a JSON string: quoted, `"` and `\` escaped, control characters as `\n`,
    /// `\r`, `\t` or `\u00XX`.
    public static func quoted(_ text: String) -> String {
        var json = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            default:
                if scalar.value < 0x20 {
                    json += String(format: "\\u%04x", scalar.value)
                } else {
                    json.unicodeScalars.append(scalar)
                }
            }
        }
        return json + "\""
    }
}
