public import Foundation


extension UUID: PostgresCodable {
    public func postgresText() -> String? { uuidString.lowercased() }
    public static var postgresType: PostgresType { .uuid }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .uuid, let value = UUID(uuidString: text) else { return nil }
        self = value
    }
}
