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

    /// Shifts the `$n` placeholders of `text` by `offset`.
    ///
    /// A small lexer of the parts of PostgreSQL's syntax where `$n` is not a
    /// placeholder, all left exactly as they are: string constants (`'...'` with `''`,
    /// and `E'...'` with backslash escapes too), quoted identifiers (`"..."`), `--` line
    /// comments, nested `/* */` block comments, dollar-quoted strings (`$$...$$`,
    /// `$tag$...$tag$`), and identifiers, which may contain `$` (`a$1` is one name).
    static func renumber(_ text: String, offset: Int) -> String {
        guard offset > 0, text.utf8.contains(UInt8(ascii: "$")) else { return text }
        // Every delimiter is ASCII and no byte of a multi-byte UTF-8 sequence is, so
        // the bytes can be scanned one at a time and copied through unchanged.
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var index = 0
        let count = bytes.count

        func at(_ position: Int) -> UInt8? { position < count ? bytes[position] : nil }
        /// Copies from `index` up to (not including) `end`, and moves there.
        func copy(to end: Int) {
            let end = min(end, count)
            output.append(contentsOf: bytes[index..<end])
            index = end
        }
        /// The end of a quoted run opened at `index` by `quote`: past the closing
        /// quote, a doubled quote standing for itself; backslash escapes when asked.
        func endOfQuoted(_ quote: UInt8, backslashEscapes: Bool) -> Int {
            var position = index + 1
            while position < count {
                let byte = bytes[position]
                if backslashEscapes && byte == UInt8(ascii: "\\") {
                    position += 2
                } else if byte == quote {
                    if at(position + 1) == quote { position += 2 } else { return position + 1 }
                } else {
                    position += 1
                }
            }
            return count  // unterminated: the server will say so
        }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                copy(to: endOfQuoted(byte, backslashEscapes: false))
            case UInt8(ascii: "\""):
                copy(to: endOfQuoted(byte, backslashEscapes: false))
            case UInt8(ascii: "-") where at(index + 1) == UInt8(ascii: "-"):
                var position = index + 2
                while position < count, bytes[position] != UInt8(ascii: "\n"), bytes[position] != UInt8(ascii: "\r") {
                    position += 1
                }
                copy(to: position)
            case UInt8(ascii: "/") where at(index + 1) == UInt8(ascii: "*"):
                var depth = 1
                var position = index + 2
                while position < count, depth > 0 {
                    if bytes[position] == UInt8(ascii: "/"), at(position + 1) == UInt8(ascii: "*") {
                        depth += 1
                        position += 2
                    } else if bytes[position] == UInt8(ascii: "*"), at(position + 1) == UInt8(ascii: "/") {
                        depth -= 1
                        position += 2
                    } else {
                        position += 1
                    }
                }
                copy(to: position)
            case UInt8(ascii: "$"):
                if let first = at(index + 1), isDigit(first) {
                    // A placeholder: `$` and its digits, shifted.
                    var position = index + 1
                    var number = 0
                    while let digit = at(position), isDigit(digit) {
                        number = number &* 10 &+ Int(digit - UInt8(ascii: "0"))
                        position += 1
                    }
                    output.append(contentsOf: "$\(number + offset)".utf8)
                    index = position
                } else if let tagEnd = dollarQuoteTagEnd(bytes, from: index) {
                    // `$tag$ ... $tag$`: nothing inside is SQL.
                    let delimiter = bytes[index...tagEnd]
                    var position = tagEnd + 1
                    var closing = count
                    while position + delimiter.count <= count {
                        if bytes[position] == UInt8(ascii: "$"), bytes[position..<position + delimiter.count].elementsEqual(delimiter) {
                            closing = position + delimiter.count
                            break
                        }
                        position += 1
                    }
                    copy(to: closing)
                } else {
                    copy(to: index + 1)
                }
            case _ where isIdentifierStart(byte):
                var position = index + 1
                while let next = at(position), isIdentifierStart(next) || isDigit(next) || next == UInt8(ascii: "$") {
                    position += 1
                }
                // `E'...'` (or `e'...'`): an escape string constant, where `\'` is a quote.
                if position == index + 1, byte == UInt8(ascii: "E") || byte == UInt8(ascii: "e"),
                   at(position) == UInt8(ascii: "'") {
                    copy(to: position)
                    copy(to: endOfQuoted(UInt8(ascii: "'"), backslashEscapes: true))
                } else {
                    copy(to: position)
                }
            default:
                copy(to: index + 1)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Letters, `_` and every non-ASCII byte begin an identifier (PostgreSQL's `ident_start`).
    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// When a dollar-quote delimiter (`$$` or `$tag$`, the tag an identifier without
    /// `$`) starts at `start`, the index of its closing `$`.
    private static func dollarQuoteTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var position = start + 1
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "$") { return position }
        guard isIdentifierStart(bytes[position]) else { return nil }
        position += 1
        while position < bytes.count, isIdentifierStart(bytes[position]) || isDigit(bytes[position]) { position += 1 }
        return position < bytes.count && bytes[position] == UInt8(ascii: "$") ? position : nil
    }
}
