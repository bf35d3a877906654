import Foundation

/// The opaque `starting_after` / `next_cursor` of a list: the service's
/// keyset position (a ref, a number, a reference, a note's time and id),
/// base64url-encoded with a version, so callers pass it back without reading
/// meaning into it and a changed position format is recognised.
enum ListCursor {
    static func encode(_ position: String?) -> String? {
        guard let position else { return nil }
        return Data("v1:\(position)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String?) throws -> String? {
        guard let cursor else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.count <= 512, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("v1:"), text.count > 3 else {
            // Well-formed for the schema, meaningless here: invalid (422), as the
            // contract check expects of any value the schema allows.
            throw Problem.invalid("starting_after", "is not a cursor this API gave")
        }
        return String(text.dropFirst(3))
    }

    /// `limit`: 1-100, 50 when absent.
    static func limit(_ value: Int?) throws -> Int {
        let limit = value ?? 50
        guard (1...100).contains(limit) else { throw Problem.badRequest("limit", "must be 1-100, not \(limit)") }
        return limit
    }
}
