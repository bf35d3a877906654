import Foundation
import Postgres

extension KeyedEncodingContainer {
    /// Encodes an optional as JSON `null` when nil (never omits the key, unlike
    /// `encodeIfPresent`): the report formats fix their fields, nulls included.
    mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value {
            try encode(value, forKey: key)
        } else {
            try encodeNil(forKey: key)
        }
    }
}
