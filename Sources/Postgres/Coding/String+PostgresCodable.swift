extension String: PostgresCodable {
    public func postgresText() -> String? { self }
    /// Unspecified, so a string can be compared with a uuid, date or enum column
    /// exactly as a quoted literal could.
    public static var postgresType: PostgresType { .unspecified }
    /// Any column has a text form; a String takes it as the server printed it.
    public init?(postgresText text: String, type: PostgresType) { self = text }
}
