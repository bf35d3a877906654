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
