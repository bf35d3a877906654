import CLibPQ

extension PostgresError {
    /// Builds the error from a failed result, falling back to the connection's message.
    static func from(result: OpaquePointer?, connection: OpaquePointer?, statement: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let state = field(CLIBPQ_DIAG_SQLSTATE)
        var message = field(CLIBPQ_DIAG_MESSAGE_PRIMARY)
        if message == nil, let result, let text = PQresultErrorMessage(result) {
            message = String(cString: text)
        }
        if message == nil || message!.isEmpty, let connection {
            message = String(cString: PQerrorMessage(connection))
        }
        var kind = state.map(kind(forSQLState:)) ?? .server
        if let connection, PQstatus(connection) == CONNECTION_BAD { kind = .connectionLost }
        return PostgresError(
            kind: kind, sqlState: state,
            message: (message ?? "unknown error").trimmingTrailingWhitespace(),
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL), hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME), table: field(CLIBPQ_DIAG_TABLE_NAME),
            column: field(CLIBPQ_DIAG_COLUMN_NAME),
            statement: statement.map { String($0.split(separator: "\n", maxSplits: 1).first ?? "") },
            position: field(CLIBPQ_DIAG_STATEMENT_POSITION).flatMap { Int($0) }
        )
    }
}
