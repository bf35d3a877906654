extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// Built as UTF-8 bytes: `"` and `\` are ASCII, so escaping them byte by byte
    /// never splits a character, and a set of ten thousand JSON values encodes in
    /// one pass instead of a character append each.
    public func postgresText() throws -> String? {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let item = try element.postgresText() else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in item.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
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
