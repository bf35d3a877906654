/// Keeps passwords out of messages about a connection string.
///
/// libpq's messages quote pieces of the connection string as they were typed: a
/// malformed URI's percent-encoding (`invalid percent-encoded token: "Pa%zzSecret99"`),
/// the whole URI (`... in URI: "postgresql://u:pw@[::1/x"`), a value it cannot use
/// (`invalid integer value "pw" for connection option "port"`), and the server quotes a
/// database or user name that was itself a URI. So the passwords are found in the raw
/// text ourselves, the way libpq delimits them, in every form they may take (as typed,
/// percent-decoded, unescaped), and every occurrence in a message is replaced. When the
/// text looks like it holds a password that cannot be delimited (an unterminated quote,
/// `password` with no `=`, a URI whose `user:password` lacks its `@`), every quoted
/// fragment of the message is dropped as well.
struct PasswordRedaction: Sendable {
    static let placeholder = "[redacted]"

    /// Every form of every password found, as UTF-8.
    private(set) var secrets: [[UInt8]] = []
    /// A password seems to be there but could not be delimited.
    private(set) var unlocated = false

    init() {}

    /// The passwords of a connection string (keyword/value or URI).
    init(connectionString: String) {
        scan(Array(connectionString.utf8), flagUnlocated: true)
    }

    /// Adds a password known by other means (the parsed `password` value).
    mutating func add(_ secret: String) {
        add(Array(secret.utf8)[...])
    }

    /// `message` with every password (the ones found in the connection string, and
    /// any the message itself quotes) replaced, and with quoted fragments dropped that
    /// may be part of one.
    func redact(_ message: String) -> String {
        let bytes = Array(message.utf8)
        var found = self
        // A message may quote a connection string of its own (a database name that was a URI).
        found.scan(bytes, flagUnlocated: false)
        var mask = [Bool](repeating: false, count: bytes.count)
        for secret in found.secrets where !secret.isEmpty && secret.count <= bytes.count {
            var start = 0
            while start + secret.count <= bytes.count {
                if bytes[start] == secret[0], bytes[start..<(start + secret.count)].elementsEqual(secret) {
                    for index in start..<(start + secret.count) { mask[index] = true }
                }
                start += 1
            }
        }
        // Quoted fragments: dropped when they are a piece of a password, or all of them
        // when a password could not be delimited (libpq's own one-character literals
        // such as "=" excepted).
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 34, let close = bytes[(index + 1)...].firstIndex(of: 34) else {
                index += 1
                continue
            }
            let inner = (index + 1)..<close
            if !inner.isEmpty {
                let fragment = bytes[inner]
                let literal = fragment.count == 1 && [61, 93, 58, 47].contains(fragment.first!)  // = ] : /
                let piece = found.secrets.contains { Self.contains($0, fragment) }
                if piece || (found.unlocated && !literal) {
                    for position in inner { mask[position] = true }
                }
            }
            index = close + 1
        }
        guard mask.contains(true) else { return message }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            if mask[position] {
                out.append(contentsOf: Self.placeholder.utf8)
                while position < bytes.count, mask[position] { position += 1 }
            } else {
                out.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Finding them

    private mutating func add(_ secret: ArraySlice<UInt8>) {
        guard !secret.isEmpty, !secrets.contains(where: { $0.elementsEqual(secret) }) else { return }
        secrets.append(Array(secret))
    }

    /// Adds a value as typed and, when it decodes, percent-decoded.
    private mutating func addWithDecoded(_ value: ArraySlice<UInt8>) {
        add(value)
        if let decoded = Self.percentDecoded(value) { add(decoded[...]) }
    }

    private mutating func scan(_ text: [UInt8], flagUnlocated: Bool) {
        scanURIs(text, flagUnlocated: flagUnlocated)
        scanKeywords(text, flagUnlocated: flagUnlocated)
    }

    /// `scheme://user:PASSWORD@host...?password=PASSWORD`: libpq takes the user
    /// information up to the first `@` before any `/`, and the password after its
    /// first `:`.
    private mutating func scanURIs(_ text: [UInt8], flagUnlocated: Bool) {
        var index = 0
        while index + 3 <= text.count {
            guard text[index] == 58, text[index + 1] == 47, text[index + 2] == 47 else {  // ://
                index += 1
                continue
            }
            let start = index + 3
            var end = start
            while end < text.count, text[end] != 64, text[end] != 47 { end += 1 }  // @ /
            if end < text.count, text[end] == 64 {
                let userinfo = text[start..<end]
                if let colon = userinfo.firstIndex(of: 58) { addWithDecoded(text[(colon + 1)..<end]) }
            } else if flagUnlocated {
                // No `@`: libpq reads `u:secret` as a host and a port. A port that is not
                // digits may be a password that lost its `@`.
                var authority = text[start..<end]
                if let query = authority.firstIndex(of: 63) { authority = authority[..<query] }  // ?
                for host in authority.split(separator: 44) {  // ,
                    var rest = host[...]
                    if rest.first == 91, let close = rest.firstIndex(of: 93) {  // [v6]
                        rest = rest[(close + 1)...]
                    } else if rest.first == 91 {
                        continue
                    }
                    if let colon = rest.firstIndex(of: 58), !rest[(colon + 1)...].allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                        unlocated = true
                    }
                }
            }
            // The query: `key=value` pairs separated by `&`; keys may be percent-encoded too.
            if let question = text[start...].firstIndex(of: 63) {
                var queryEnd = question + 1
                while queryEnd < text.count, !Self.isSpace(text[queryEnd]), text[queryEnd] != 34 { queryEnd += 1 }
                for pair in text[(question + 1)..<queryEnd].split(separator: 38, omittingEmptySubsequences: true) {  // &
                    let equals = pair.firstIndex(of: 61)
                    let key = pair[pair.startIndex..<(equals ?? pair.endIndex)]
                    let decodedKey = Self.percentDecoded(key) ?? Array(key)
                    guard Self.lowercased(decodedKey[...]) == Array("password".utf8) else { continue }
                    if let equals {
                        addWithDecoded(pair[(equals + 1)...])
                    } else if flagUnlocated {
                        unlocated = true
                    }
                }
            }
            index = start
        }
    }

    /// `password = value` or `password = 'quoted \' value'`, as libpq reads keyword/value
    /// strings (any case here, to be safe).
    private mutating func scanKeywords(_ text: [UInt8], flagUnlocated: Bool) {
        let keyword = Array("password".utf8)
        var index = 0
        while index + keyword.count <= text.count {
            guard Self.lowercased(text[index..<(index + keyword.count)]) == keyword else {
                index += 1
                continue
            }
            var position = index + keyword.count
            index = position
            while position < text.count, Self.isSpace(text[position]) { position += 1 }
            guard position < text.count, text[position] == 61 else {  // =
                if flagUnlocated { unlocated = true }
                continue
            }
            position += 1
            while position < text.count, Self.isSpace(text[position]) { position += 1 }
            if position < text.count, text[position] == 39 {  // '
                let start = position + 1
                var unescaped: [UInt8] = []
                var end = start
                var closed = false
                while end < text.count {
                    if text[end] == 92, end + 1 < text.count {  // backslash
                        unescaped.append(text[end + 1])
                        end += 2
                        continue
                    }
                    if text[end] == 39 {
                        closed = true
                        break
                    }
                    unescaped.append(text[end])
                    end += 1
                }
                add(text[start..<end])
                add(unescaped[...])
                if !closed, flagUnlocated { unlocated = true }
            } else {
                // Unquoted: up to unescaped white space. In a URI's query the value ends
                // at `&` (and is percent-encoded); a quoted URI in a message ends at `"`.
                let start = position
                var unescaped: [UInt8] = []
                var end = start
                while end < text.count, !Self.isSpace(text[end]) {
                    if text[end] == 92, end + 1 < text.count {
                        unescaped.append(text[end + 1])
                        end += 2
                        continue
                    }
                    unescaped.append(text[end])
                    end += 1
                }
                add(text[start..<end])
                add(unescaped[...])
                for stop: UInt8 in [38, 34] {  // & "
                    if let cut = text[start..<end].firstIndex(of: stop) { addWithDecoded(text[start..<cut]) }
                }
                addWithDecoded(text[start..<end])
                guard flagUnlocated else { continue }
                // `password=correct horse port=5432`: libpq reads `horse` as a keyword
                // missing its `=` and quotes it, but it is likelier the rest of a password
                // typed without quotes. Words up to the next real keyword count as one.
                var next = end
                while true {
                    while next < text.count, Self.isSpace(text[next]) { next += 1 }
                    guard next < text.count else { break }
                    var wordEnd = next
                    while wordEnd < text.count, !Self.isSpace(text[wordEnd]) { wordEnd += 1 }
                    let word = text[next..<wordEnd]
                    let name = word[word.startIndex..<(word.firstIndex(of: 61) ?? word.endIndex)]
                    if Self.keywords.contains(Array(name)) { break }
                    add(name)
                    add(word)
                    next = wordEnd
                }
            }
        }
    }

    // MARK: Bytes

    /// libpq's connection keywords (`host`, `port`, ...), from libpq itself: parsing an
    /// empty string lists every option without reading the environment or any file.
    private static let keywords: Set<[UInt8]> = Set(PQConninfo.keywords.map { Array($0.utf8) })

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || (9...13).contains(byte)
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
    }

    private static func contains(_ haystack: [UInt8], _ needle: ArraySlice<UInt8>) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// `%XX` decoded; nil when an escape is malformed (libpq refuses the string then).
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        guard bytes.contains(37) else { return nil }  // %
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 37 {
                guard index + 2 < bytes.endIndex, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else {
                    return nil
                }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
