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
