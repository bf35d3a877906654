import Foundation

/// A JSON value as PostgreSQL's `json_agg` prints it, kept so that a column of a
/// nested row (`PostgresRows.nested`) can be given back in PostgreSQL's own text
/// form: the decoders of `PostgresDecodable` then read it as they read a column.
enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .integer(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }

    /// The value in PostgreSQL's text form for a column of `type`, nil for NULL:
    /// `t`/`f` for a boolean, `{...}` for an array column, the JSON itself for a
    /// json/jsonb column. (A timestamp's JSON form, `2026-12-01T14:05:00+00:00`,
    /// is one the `Date` decoder reads as it is.)
    func postgresText(as type: PostgresType) -> String? {
        switch self {
        case .null: return nil
        case .bool(let flag): return flag ? "t" : "f"
        case .integer(let number): return String(number)
        case .double(let number): return "\(number)"
        case .string(let text): return text
        case .object: return json
        case .array(let items):
            if type == .json || type == .jsonb || !type.isArray { return json }
            let element = ArrayLiteral.elementType(of: type)
            return "{" + items.map { item in
                guard let text = item.postgresText(as: element) else { return "NULL" }
                return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }.joined(separator: ",") + "}"
        }
    }

    private var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
