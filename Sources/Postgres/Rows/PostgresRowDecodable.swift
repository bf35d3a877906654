/// A type built from one result row.
public protocol PostgresRowDecodable {
    init(row: PostgresRow) throws
}
