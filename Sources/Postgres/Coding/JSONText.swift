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
