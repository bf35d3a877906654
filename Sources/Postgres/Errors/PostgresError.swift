/// An error from PostgreSQL or from talking to it.
///
/// `description` carries the SQLSTATE, the server's primary message and the
/// constraint name, never `detail`: the detail of a unique violation repeats the
/// offending row's values, and error lines end up in logs that other people read.
/// Ask for `detail` explicitly where showing it is safe.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case checkViolation
        case notNullViolation
        case exclusionViolation
        case insufficientPrivilege
        case serializationFailure
        case deadlock
        case lockNotAvailable
        case queryCanceled
        case connectionLost
        case connectionFailed
        case invalidConnectionString
        case protocolMisuse
        case poolTimeout
        case decoding
        /// A parameter value with no text form (a `JSONB` the encoder refused): nothing was sent.
        case encoding
        /// The transaction had failed, so PostgreSQL rolled it back instead of committing.
        case transactionRolledBack
        case server
    }

    public var kind: Kind
    /// Five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// The statement's first line (never its parameter values), for context.
    public var statement: String?
    /// 1-based character offset of the error in the statement text, when the server gave one.
    public var position: Int?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil,
        column: String? = nil, statement: String? = nil, position: Int? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.statement = statement
        self.position = position
    }

    /// Whether running the same transaction again may succeed.
    public var isTransient: Bool { kind == .serializationFailure || kind == .deadlock }

    public var description: String {
        var text = message
        if let sqlState { text = "\(text) (SQLSTATE \(sqlState))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }

    /// A value that could not be encoded as a parameter. The message names the Swift
    /// type, the coding path and the encoder's reason, never the value itself.
    static func encoding(_ swiftType: Any.Type, as postgresType: String, _ error: any Error) -> PostgresError {
        let reason: String
        if let error = error as? EncodingError, case .invalidValue(_, let context) = error {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            reason = (path.isEmpty ? "" : "at \(path): ") + context.debugDescription
        } else if error is PostgresError {
            reason = "\(error)"
        } else {
            reason = "\(type(of: error)) was thrown"
        }
        return PostgresError(kind: .encoding, message: "cannot encode \(swiftType) as \(postgresType): \(reason)")
    }

    static func kind(forSQLState state: String) -> Kind {
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "23P01": return .exclusionViolation
        case "42501": return .insufficientPrivilege
        case "40001": return .serializationFailure
        case "40P01": return .deadlock
        case "55P03": return .lockNotAvailable
        case "57014": return .queryCanceled
        default:
            // Class 08 is connection exception; 57P01..57P03 are server shutdowns.
            if state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" {
                return .connectionLost
            }
            return .server
        }
    }
}
