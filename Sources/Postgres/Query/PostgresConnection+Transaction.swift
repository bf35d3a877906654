extension PostgresConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// `preamble`, settings only (`SET LOCAL ...`), goes in the same simple query
    /// as `BEGIN`: no round trip of its own, and no statement shares its string
    /// (Citus forwards a string that holds a `SET LOCAL` to its workers whole, and
    /// a query in it then fails there: "the backend has already been assigned a
    /// transaction id").
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        retry: RetryPolicy = .never,
        preamble: String? = nil,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(isolation: isolation, readOnly: readOnly, preamble: preamble, body)
            } catch let error as PostgresError where error.isTransient && attempt < retry.attempts {
                attempt += 1
                // Back off a little, growing, with jitter, so the colliding writers part.
                let millis = UInt64.random(in: 1...(5 << min(attempt, 6)))
                try await Task.sleep(nanoseconds: millis * 1_000_000)
            }
        }
    }

    static var rolledBack: PostgresError {
        PostgresError(
            kind: .transactionRolledBack,
            message: "the transaction was rolled back, not committed: a statement in it failed (its error was caught inside the transaction body)")
    }

    private func transactionOnce<T>(
        isolation: IsolationLevel, readOnly: Bool, preamble: String?, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if await isInTransaction() {
            throw PostgresError(kind: .protocolMisuse, message: "a transaction is already open on this connection")
        }
        try await simpleQuery("BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")\(preamble.map { "; \($0)" } ?? "")")
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await simpleQuery("ROLLBACK")
            throw error
        }
        // A statement that failed inside the body, its error caught and dropped, leaves
        // the transaction aborted: COMMIT would then answer ROLLBACK, and returning
        // would report as committed what PostgreSQL threw away.
        if await isInFailedTransaction() {
            _ = try? await simpleQuery("ROLLBACK")
            throw Self.rolledBack
        }
        let commit: PostgresRows
        do {
            commit = try await simpleQuery("COMMIT")
        } catch {
            _ = try? await simpleQuery("ROLLBACK")
            throw error
        }
        // The server's own word, should the status have changed meanwhile.
        if commit.commandTag == "ROLLBACK" { throw Self.rolledBack }
        return value
    }
}
