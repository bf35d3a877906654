/// A Swift value that can be sent to PostgreSQL as a bound parameter.
///
/// Values travel in PostgreSQL's text format, beside the SQL and never inside it,
/// so no value can change what a statement means.
public protocol PostgresEncodable: Sendable {
    /// The value's text form as the server parses it; `nil` sends SQL NULL.
    ///
    /// Throws when the value has no text form (a `JSONB` whose value the encoder
    /// refuses): the statement carrying it then fails before anything is sent, never
    /// silently binding NULL in its place.
    func postgresText() throws -> String?
    /// The parameter type the server is told; `.unspecified` lets it infer one.
    static var postgresType: PostgresType { get }
}
