extension PostgresError {
    /// Builds the error from a failed result, falling back to the connection's message.
    static func from(result: PQResult?, connection: PQConnection?, statement: String?) -> PostgresError {
        func field(_ field: PQResult.ErrorField) -> String? { result?.errorField(field) }
        let state = field(.sqlState)
        var message = field(.messagePrimary) ?? result?.errorMessage
        if message == nil || message!.isEmpty, let connection {
            message = connection.errorMessage
        }
        var kind = state.map(kind(forSQLState:)) ?? .server
        if let connection, connection.isBad { kind = .connectionLost }
        return PostgresError(
            kind: kind, sqlState: state,
            message: (message ?? "unknown error").trimmingTrailingWhitespace(),
            detail: field(.messageDetail), hint: field(.messageHint),
            constraint: field(.constraintName), table: field(.tableName),
            column: field(.columnName),
            statement: statement.map { String($0.split(separator: "\n", maxSplits: 1).first ?? "") },
            position: field(.statementPosition).flatMap { Int($0) }
        )
    }
}
