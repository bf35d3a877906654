import Foundation
/// A SQL statement with its parameters bound, never spliced.
///
/// Written as string interpolation, every interpolated value becomes `$1`, `$2`, ...
/// and travels beside the text (the idea of postgres-nio's `PostgresQuery`):
///
///     let rows = try await connection.query("SELECT name FROM clients WHERE ref = \(ref)")
///
/// Identifiers are the only thing that can enter the text, and only through the
/// explicit `\(identifier: name)`, which quotes them. `\(unescaped: text)` exists for
/// SQL that the program itself wrote (a fragment chosen from constants); never pass
/// it anything a user typed.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var values: [String?]
    public private(set) var types: [PostgresType]
    /// The first parameter that could not be encoded (`PostgresEncodable.postgresText()`
    /// threw): the statement is refused before anything is sent.
    public private(set) var encodingError: PostgresError?

    public init(stringLiteral value: String) {
        text = value
        values = []
        types = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        values = stringInterpolation.values
        types = stringInterpolation.types
        encodingError = stringInterpolation.encodingError
    }

    /// Throws the encoding error of a parameter, if one could not be encoded.
    func checkEncoded() throws {
        if let encodingError { throw encodingError }
    }

    /// SQL text the program wrote, with no parameters.
    public init(unescaped text: String) {
        self.text = text
        values = []
        types = []
    }

    /// The statement text only: parameter values are not printed, they may be private.
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text = ""
        var values: [String?] = []
        var types: [PostgresType] = []
        var encodingError: PostgresError?

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            values.reserveCapacity(interpolationCount)
            types.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// A value: becomes the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            append(Result { try value.postgresText() }, of: Value.self)
        }

        /// An optional value: NULL when nil.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            append(Result { try value.flatMap { try $0.postgresText() } }, of: Value.self)
        }

        /// Interpolation cannot throw, so an encoding failure is kept and thrown when
        /// the statement is run, before anything is sent.
        private mutating func append<Value: PostgresEncodable>(_ encoded: Result<String?, any Error>, of _: Value.Type) {
            switch encoded {
            case .success(let text): values.append(text)
            case .failure(let error):
                values.append(nil)
                encodingError = encodingError
                    ?? error as? PostgresError ?? PostgresError.encoding(Value.self, as: "\(Value.postgresType)", error)
            }
            types.append(Value.postgresType)
            text += "$\(values.count)"
        }

        /// An identifier (table, column, role, database): double-quoted, `"` doubled.
        public mutating func appendInterpolation(identifier: String) {
            text += SQL.quoteIdentifier(identifier)
        }

        /// Program-written SQL text. Never user input.
        public mutating func appendInterpolation(unescaped fragment: String) {
            text += fragment
        }

        /// Another statement fragment; its parameters are renumbered to follow ours.
        public mutating func appendInterpolation(_ fragment: SQL) {
            encodingError = encodingError ?? fragment.encodingError
            text += SQL.renumber(fragment.text, offset: values.count)
            values += fragment.values
            types += fragment.types
        }
    }

    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Appends another fragment, renumbering its parameters.
    public mutating func append(_ fragment: SQL) {
        encodingError = encodingError ?? fragment.encodingError
        text += SQL.renumber(fragment.text, offset: values.count)
        values += fragment.values
        types += fragment.types
    }
}
