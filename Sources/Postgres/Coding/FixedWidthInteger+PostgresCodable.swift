private let integerTypes: Set<PostgresType> = [.int2, .int4, .int8, .oid]

extension PostgresDecodable where Self: FixedWidthInteger {
    public init?(postgresText text: String, type: PostgresType) {
        // numeric is accepted when it holds an integer: sum(bigint) is numeric, and
        // an exact integer sum of money must not detour through Double.
        guard integerTypes.contains(type) || type == .numeric, let value = Self(text) else { return nil }
        self = value
    }
}

extension Int: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int8 }
}
extension Int64: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int8 }
}
extension Int32: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int4 }
}
extension Int16: PostgresCodable {
    public func postgresText() -> String? { String(self) }
    public static var postgresType: PostgresType { .int2 }
}
