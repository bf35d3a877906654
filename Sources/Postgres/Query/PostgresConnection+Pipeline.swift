extension PostgresConnection {
    /// Sends many statements in one round trip (libpq pipeline mode) and returns
    /// their rows in order.
    ///
    /// All of them run between one pair of Sync messages, so outside an explicit
    /// transaction they form one implicit transaction: when one fails, none of them
    /// takes effect, and the first failure is thrown.
    public func pipeline(_ statements: [SQL]) async throws -> [PostgresRows] {
        guard !statements.isEmpty else { return [] }
        // All or none: no statement is sent when any of them has a value with no text form.
        for sql in statements {
            try sql.checkEncoded()
            try Self.checkParameters(sql.values)
        }
        return try await run { state in try Self.runPipeline(statements, on: state.pq) }
    }

    private static func runPipeline(_ statements: [SQL], on pq: PQConnection) throws -> [PostgresRows] {
        // Non-blocking while sending: a blocking write could wait on a server that is
        // itself waiting for us to read its results.
        guard pq.setNonblocking(true), pq.enterPipelineMode() else {
            throw PostgresError.from(result: nil, connection: pq, statement: nil)
        }
        defer {
            _ = pq.exitPipelineMode()
            _ = pq.setNonblocking(false)
        }
        for sql in statements {
            guard pq.sendQueryParams(sql.text, types: sql.types.map(\.rawValue), values: sql.values) else {
                throw PostgresError.from(result: nil, connection: pq, statement: sql.text)
            }
            try flush(pq, untilEmpty: false)
        }
        guard pq.pipelineSync() else {
            throw PostgresError.from(result: nil, connection: pq, statement: nil)
        }
        try flush(pq, untilEmpty: true)

        var rows: [PostgresRows] = []
        var firstError: PostgresError? = nil
        for sql in statements {
            // Each statement's results end with a NULL from PQgetResult.
            var last: PQResult? = nil
            while let result = pq.getResult() { last = result }
            guard let result = last else {
                firstError = firstError ?? PostgresError.from(result: nil, connection: pq, statement: sql.text)
                continue
            }
            if result.status == .pipelineAborted { continue }
            do {
                rows.append(try check(result, on: pq, statement: sql.text))
            } catch let error as PostgresError {
                firstError = firstError ?? error
            }
        }
        // The Sync's own result closes the pipeline.
        while let result = pq.getResult() {
            if result.status == .pipelineSync { break }
        }
        if let firstError { throw firstError }
        return rows
    }

    /// Pushes libpq's output buffer to the socket, reading whatever the server sends
    /// meanwhile so neither side can wait on the other forever.
    private static func flush(_ pq: PQConnection, untilEmpty: Bool) throws {
        while true {
            switch pq.flush() {
            case .done: return
            case .failed: throw PostgresError.from(result: nil, connection: pq, statement: nil)
            case .pending:
                if !untilEmpty { return }
                if pq.pollSocket(readable: true, writable: true, timeout: 1000).readable, !pq.consumeInput() {
                    throw PostgresError.from(result: nil, connection: pq, statement: nil)
                }
            }
        }
    }
}
