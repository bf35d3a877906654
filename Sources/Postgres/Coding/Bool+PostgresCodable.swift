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
