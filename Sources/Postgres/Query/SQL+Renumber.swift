extension SQL {
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
