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

    public init(stringLiteral value: String) {
        text = value
        values = []
        types = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        values = stringInterpolation.values
        types = stringInterpolation.types
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

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            values.reserveCapacity(interpolationCount)
            types.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// A value: becomes the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            values.append(value.postgresText)
            types.append(Value.postgresType)
            text += "$\(values.count)"
        }

        /// An optional value: NULL when nil.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            values.append(value.flatMap { $0.postgresText })
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
        text += SQL.renumber(fragment.text, offset: values.count)
        values += fragment.values
        types += fragment.types
    }

    /// Shifts `$n` placeholders by `offset`, leaving quoted text alone.
    static func renumber(_ text: String, offset: Int) -> String {
        guard offset > 0, text.contains("$") else { return text }
        var result = ""
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        var quote: Unicode.Scalar? = nil
        while let c = pending {
            pending = scalars.next()
            if let q = quote {
                result.unicodeScalars.append(c)
                if c == q { quote = nil }
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                result.unicodeScalars.append(c)
                continue
            }
            if c == "$", let next = pending, ("0"..."9").contains(next) {
                var digits = ""
                while let d = pending, ("0"..."9").contains(d) {
                    digits.unicodeScalars.append(d)
                    pending = scalars.next()
                }
                result += "$\(Int(digits)! + offset)"
                continue
            }
            result.unicodeScalars.append(c)
        }
        return result
    }
}
