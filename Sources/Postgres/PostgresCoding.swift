import Foundation

/// A Swift value that can be sent to PostgreSQL as a bound parameter.
///
/// Values travel in PostgreSQL's text format, beside the SQL and never inside it,
/// so no value can change what a statement means.
public protocol PostgresEncodable: Sendable {
    /// The value's text form as the server parses it; `nil` sends SQL NULL.
    ///
    /// Throws when the value has no text form (a `JSONB` whose value the encoder
    /// refuses): the statement carrying it then fails before anything is sent, never
    /// silently binding NULL in its place.
    func postgresText() throws -> String?
    /// The parameter type the server is told; `.unspecified` lets it infer one.
    static var postgresType: PostgresType { get }
}

/// A Swift value that can be read from a result column.
public protocol PostgresDecodable: Sendable {
    /// Builds the value from a non-NULL column's text, or returns nil when the
    /// column's type or text does not fit this Swift type.
    init?(postgresText text: String, type: PostgresType)
    /// The value for SQL NULL; nil (the default) makes NULL a decoding error.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

// MARK: - Optional

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public func postgresText() throws -> String? { try self.flatMap { try $0.postgresText() } }
    public static var postgresType: PostgresType { Wrapped.postgresType }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String, type: PostgresType) {
        guard let value = Wrapped(postgresText: text, type: type) else { return nil }
        self = .some(value)
    }
    public static var postgresNull: Self? { .some(.none) }
}

// MARK: - Integers

private let integerTypes: Set<PostgresType> = [.int2, .int4, .int8, .oid]

extension PostgresDecodable where Self: FixedWidthInteger {
    public init?(postgresText text: String, type: PostgresType) {
        // numeric is accepted when it holds an integer: sum(bigint) is numeric, and
        // an exact integer sum of money must not detour through Double.
        guard integerTypes.contains(type) || type == .numeric, let value = Self(text) else { return nil }
        self = value
    }
}

extension Int: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int8 }
}
extension Int64: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int8 }
}
extension Int32: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int4 }
}
extension Int16: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int2 }
}

// MARK: - Bool, Double, String

extension Bool: PostgresCodable {
    public func postgresText() -> String? { self ? "t" : "f" }
    public static var postgresType: PostgresType { .bool }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .bool else { return nil }
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

/// For ratios and measurements. Never for money: amounts are integer minor units.
extension Double: PostgresCodable {
    public func postgresText() -> String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
    public static var postgresType: PostgresType { .float8 }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .float8 || type == .float4 || type == .numeric else { return nil }
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { return nil }
            self = value
        }
    }
}

extension String: PostgresCodable {
    public func postgresText() -> String? { self }
    /// Unspecified, so a string can be compared with a uuid, date or enum column
    /// exactly as a quoted literal could.
    public static var postgresType: PostgresType { .unspecified }
    /// Any column has a text form; a String takes it as the server printed it.
    public init?(postgresText text: String, type: PostgresType) { self = text }
}

// MARK: - UUID

extension UUID: PostgresCodable {
    public func postgresText() -> String? { uuidString.lowercased() }
    public static var postgresType: PostgresType { .uuid }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .uuid, let value = UUID(uuidString: text) else { return nil }
        self = value
    }
}

// MARK: - bytea

/// Raw bytes for `bytea`.
extension Data: PostgresCodable {
    public func postgresText() -> String? {
        var text = "\\x"
        text.reserveCapacity(2 + count * 2)
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        text += String(decoding: bytes, as: UTF8.self)
        return text
    }
    public static var postgresType: PostgresType { .bytea }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .bytea else { return nil }
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"),
              utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var data = Data(capacity: (utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        self = data
    }
}

// MARK: - Timestamps

/// `timestamptz`. Sent as an ISO 8601 instant in UTC; read in whatever zone the
/// session prints, offset included.
extension Date: PostgresCodable {
    public func postgresText() -> String? {
        let seconds = timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec), micros)
    }
    public static var postgresType: PostgresType { .timestamptz }

    public init?(postgresText text: String, type: PostgresType) {
        guard type == .timestamptz || type == .timestamp else { return nil }
        // "2026-11-29 12:49:00.123456+05:30" (ISO DateStyle); timestamp has no offset
        // and is read as UTC.
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for b in bytes[range] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let days = CalendarDate(year: year, month: month, day: day)?.daysSinceEpoch
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                  let hours = number(index + 1..<index + 3) else { return nil }
            var minutes = 0
            var seconds = 0
            if index + 6 <= bytes.count, let m = number(index + 4..<index + 6) { minutes = m }
            if index + 9 <= bytes.count, let s = number(index + 7..<index + 9) { seconds = s }
            offset = sign * (hours * 3600 + minutes * 60 + seconds)
        }
        let total = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        self = Date(timeIntervalSince1970: total)
    }
}

// MARK: - JSON

/// A `jsonb` value holding any Codable Swift value.
public struct JSONB<Value: Codable & Sendable>: PostgresCodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    /// Throws `PostgresError` of kind `.encoding` when the encoder refuses the value
    /// (a `Double.nan`, an `Encodable` that throws): never NULL in its place, which
    /// would store a different value (an idempotent replay would answer NULL).
    public func postgresText() throws -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw PostgresError.encoding(Value.self, as: "jsonb", error)
        }
        return String(decoding: data, as: UTF8.self)
    }
    public static var postgresType: PostgresType { .jsonb }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .jsonb || type == .json,
              let value = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)) else { return nil }
        self.value = value
    }
}

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
}

// MARK: - Arrays

extension Array: PostgresEncodable where Element: PostgresEncodable {
    public func postgresText() throws -> String? {
        var text = "{"
        for (index, element) in enumerated() {
            if index > 0 { text += "," }
            guard let item = try element.postgresText() else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in item.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
    public static var postgresType: PostgresType { Element.postgresType.arrayType }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init?(postgresText text: String, type: PostgresType) {
        guard type.isArray, let items = ArrayLiteral.parse(text) else { return nil }
        let elementType = ArrayLiteral.elementType(of: type)
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            if let item {
                guard let value = Element(postgresText: item, type: elementType) else { return nil }
                result.append(value)
            } else {
                guard let null = Element.postgresNull else { return nil }
                result.append(null)
            }
        }
        self = result
    }
}

/// Parses the text form of a one-dimensional array: `{1,2,NULL}`, `{"a b","c\"d"}`.
enum ArrayLiteral {
    static func elementType(of type: PostgresType) -> PostgresType {
        switch type {
        case .boolArray: return .bool
        case .int2Array: return .int2
        case .int4Array: return .int4
        case .int8Array: return .int8
        case .float8Array: return .float8
        case .dateArray: return .date
        case .timestamptzArray: return .timestamptz
        case .uuidArray: return .uuid
        case .byteaArray: return .bytea
        case .jsonbArray: return .jsonb
        case .numericArray: return .numeric
        case .varcharArray: return .varchar
        case .bpcharArray: return .bpchar
        default: return .text
        }
    }

    static func parse(_ text: String) -> [String?]? {
        var scalars = Array(text.unicodeScalars)
        // A lower bound other than 1 prints as "[0:2]={...}".
        if scalars.first == "[", let equals = scalars.firstIndex(of: "=") {
            scalars.removeSubrange(0...equals)
        }
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index < end {
            var item = String.UnicodeScalarView()
            var quoted = false
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    guard index < end else { return nil }
                    item.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, scalars[index] != "," {
                    if scalars[index] == "{" { return nil }  // multi-dimensional: not supported
                    item.append(scalars[index])
                    index += 1
                }
            }
            let value = String(item)
            items.append(!quoted && value == "NULL" ? nil : value)
            if index < end {
                guard scalars[index] == "," else { return nil }
                index += 1
            }
        }
        return items
    }
}
