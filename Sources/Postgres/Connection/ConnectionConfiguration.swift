import Foundation
/// Where and how to connect: a libpq connection string or URI, parsed and checked
/// up front so a typo fails here with libpq's own message rather than at connect.
public struct ConnectionConfiguration: Sendable {
    /// Keyword/value pairs as libpq parsed them, in libpq's order.
    public private(set) var parameters: [(keyword: String, value: String)]
    /// After how many executions of the same statement (SQL text and parameter types)
    /// a connection prepares it (psycopg 3's rule); nil never prepares, which
    /// pgbouncer before 1.21 needs.
    public var prepareThreshold: Int? = 5
    /// How many statements a connection keeps prepared at most (psycopg 3's
    /// `prepared_max`); past it the least recently used one is deallocated.
    public var preparedStatementLimit = 200
    /// The passwords of the string as it was typed, to keep them out of messages.
    private let redaction: PasswordRedaction

    public init(_ connectionString: String) throws {
        redaction = PasswordRedaction(connectionString: connectionString)
        switch PQConninfo.parse(connectionString) {
        case .failure(let error):
            var message = "invalid connection string"
            if let text = error.message {
                // libpq quotes the offending piece as typed, which may be the password.
                message += ": " + redaction.redact(text.trimmingTrailingWhitespace())
            }
            throw PostgresError(kind: .invalidConnectionString, message: message)
        case .success(let parameters):
            self.parameters = parameters
        }
    }

    /// `message` (libpq's or the server's, about connecting) with no part of a password
    /// in it: neither one of the string as typed nor the `password` set now.
    func redacting(_ message: String) -> String {
        var redaction = self.redaction
        if let password = self["password"] { redaction.add(password) }
        return redaction.redact(message)
    }

    /// The value given for a keyword (`host`, `port`, `dbname`, `user`, ...).
    public subscript(keyword: String) -> String? {
        get { parameters.last { $0.keyword == keyword }?.value }
        set {
            parameters.removeAll { $0.keyword == keyword }
            if let newValue { parameters.append((keyword, newValue)) }
        }
    }

    /// The same server as another user or database, e.g. a test's own database.
    public func with(user: String? = nil, database: String? = nil) -> ConnectionConfiguration {
        var copy = self
        if let user { copy["user"] = user }
        if let database { copy["dbname"] = database }
        return copy
    }

    /// A keyword/value connection string libpq accepts (values quoted).
    public var connectionString: String {
        parameters.map { "\($0.keyword)=\(Self.quote($0.value))" }.joined(separator: " ")
    }

    /// Where the server is, for messages: host or socket and port, never credentials.
    public var serverDescription: String {
        let host = self["host"] ?? self["hostaddr"] ?? "the default socket"
        let port = self["port"].map { " port \($0)" } ?? ""
        let database = self["dbname"].map { " database \($0)" } ?? ""
        return "\(host)\(port)\(database)"
    }

    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
