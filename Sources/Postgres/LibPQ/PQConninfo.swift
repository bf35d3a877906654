import CLibPQ

/// libpq's connection-string parser (`PQconninfoParse`).
enum PQConninfo {
    struct ParseError: Error {
        /// libpq's message, which quotes the offending piece as typed.
        var message: String?
    }

    /// The keyword/value pairs of a connection string or URI that have a value, in
    /// libpq's order. Reads neither the environment nor any file.
    static func parse(_ string: String) -> Result<[(keyword: String, value: String)], ParseError> {
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(string, &error) else {
            let message = error.map { String(cString: $0) }
            if let error { PQfreemem(error) }
            return .failure(ParseError(message: message))
        }
        defer { PQconninfoFree(options) }
        var pairs: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                pairs.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        return .success(pairs)
    }

    /// Every connection keyword libpq knows (`host`, `port`, ...).
    static let keywords: [String] = {
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse("", &error) else {
            if let error { PQfreemem(error) }
            return []
        }
        defer { PQconninfoFree(options) }
        var names: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            names.append(String(cString: keyword))
            option += 1
        }
        return names
    }()
}
