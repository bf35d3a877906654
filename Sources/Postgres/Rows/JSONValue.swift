import Foundation

/// A JSON value as PostgreSQL's `json_agg` prints it, kept so that a column of a
/// nested row (`PostgresRows.nested`) can be given back in PostgreSQL's own text
/// form: the decoders of `PostgresDecodable` then read it as they read a column.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as the JSON has it.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value in PostgreSQL's text form for a column of `type`, nil for NULL:
    /// `t`/`f` for a boolean, `{...}` for an array column, the JSON itself for a
    /// json/jsonb column. (A timestamp's JSON form, `2026-12-01T14:05:00+00:00`,
    /// is one the `Date` decoder reads as it is.)
    func postgresText(as type: PostgresType) -> String? {
        switch self {
        case .null: return nil
        case .bool(let flag): return flag ? "t" : "f"
        case .number(let text): return text
        case .string(let text): return text
        case .object: return json
        case .array(let items):
            if type == .json || type == .jsonb || !type.isArray { return json }
            let element = ArrayLiteral.elementType(of: type)
            // An array parameter's own text form, quoted and escaped alike.
            return (try? items.map { $0.postgresText(as: element) }.postgresText()) ?? nil
        }
    }

    /// The value as JSON text (keys sorted).
    private var json: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return JSONText.quoted(text)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + $0.value.json }
                .joined(separator: ",") + "}"
        }
    }
}
