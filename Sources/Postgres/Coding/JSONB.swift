import Foundation


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
