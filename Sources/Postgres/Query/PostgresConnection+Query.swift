extension PostgresConnection {
    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try sql.checkEncoded()
        return try await run { state in try self.execute(sql, on: state) }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await query(sql).affectedRows
    }

    /// Runs SQL text with no parameters through the simple protocol, where one
    /// string may hold many statements (migrations, scripts). Returns the last result.
    @discardableResult
    public func simpleQuery(_ text: String) async throws -> PostgresRows {
        try await run { state in
            try Self.check(state.pq.exec(text), on: state.pq, statement: text)
        }
    }

    /// Executes on the connection's thread: prepared once the same statement (text
    /// and parameter types) has run `prepareThreshold` times, unnamed otherwise.
    func execute(_ sql: SQL, on state: ConnectionState) throws -> PostgresRows {
        try sql.checkEncoded()
        try Self.checkParameters(sql.values)
        let pq = state.pq
        let types = sql.types.map(\.rawValue)
        let key = StatementCache.Key(text: sql.text, types: types)
        let name = try statementName(for: key, on: state)
        let result = if let name {
            pq.execPrepared(name: name, values: sql.values)
        } else {
            pq.execParams(sql.text, types: types, values: sql.values)
        }
        do {
            return try Self.check(result, on: pq, statement: sql.text)
        } catch let error as PostgresError where error.sqlState == "26000" && name != nil {
            // Someone ran DEALLOCATE (or a pooler swapped the server connection): forget
            // our statements and run this one unprepared.
            state.statements?.removeAll()
            return try Self.check(pq.execParams(sql.text, types: types, values: sql.values), on: pq, statement: sql.text)
        }
    }

    /// The prepared statement to run `key` with, preparing it now when it is due.
    private func statementName(for key: StatementCache.Key, on state: ConnectionState) throws -> String? {
        let pq = state.pq
        guard let decision = state.statements?.decide(key, canPrepare: pq.transactionStatus != .inError) else { return nil }
        switch decision {
        case .unprepared:
            return nil
        case .prepared(let name):
            return name
        case .prepare(let name, let evicting):
            if let evicting {
                // One statement, not all of them; a failure (it was gone already) is harmless.
                _ = pq.exec("DEALLOCATE \(SQL.quoteIdentifier(evicting))")
            }
            _ = try Self.check(pq.prepare(name: name, command: key.text, types: key.types), on: pq, statement: key.text)
            state.statements?.didPrepare(key, name: name)
            return name
        }
    }

    /// How many statements are prepared, and how many are counted towards it, for tests.
    func statementCacheCounts() async throws -> (prepared: Int, candidates: Int) {
        try await run { state in (state.statements?.preparedCount ?? 0, state.statements?.candidateCount ?? 0) }
    }

    /// A NUL inside a value would cut it short without a word when passed to libpq
    /// as a C string (and PostgreSQL text cannot hold one), so it is refused.
    static func checkParameters(_ values: [String?]) throws {
        for (index, value) in values.enumerated() where value?.utf8.contains(0) == true {
            throw PostgresError(kind: .protocolMisuse, message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
    }

    /// Turns a result into rows, or into a thrown `PostgresError`.
    static func check(_ result: PQResult?, on pq: PQConnection, statement: String?) throws -> PostgresRows {
        guard let result else {
            throw PostgresError.from(result: nil, connection: pq, statement: statement)
        }
        switch result.status {
        case .commandOK, .tuplesOK, .emptyQuery, .singleTuple:
            return PostgresRows(result)
        case .copyIn, .copyOut, .copyBoth:
            // Leave the connection usable: end the COPY the statement started.
            _ = pq.putCopyEnd(errorMessage: "COPY must be run with copyIn")
            while pq.getResult() != nil {}
            throw PostgresError(kind: .protocolMisuse, message: "COPY statements must be run with copyIn(_:)", statement: statement)
        default:
            throw PostgresError.from(result: result, connection: pq, statement: statement)
        }
    }
}
