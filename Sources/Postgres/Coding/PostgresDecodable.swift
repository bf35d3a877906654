/// A Swift value that can be read from a result column.
public protocol PostgresDecodable: Sendable {
    /// Builds the value from a non-NULL column's text, or returns nil when the
    /// column's type or text does not fit this Swift type.
    init?(postgresText text: String, type: PostgresType)
    /// The value for SQL NULL; nil (the default) makes NULL a decoding error.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
