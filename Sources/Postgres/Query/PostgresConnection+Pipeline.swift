import CLibPQ

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
        for sql in statements { try sql.checkEncoded() }
        return try await run { connection in try Self.runPipeline(statements, on: connection) }
    }

    private static func runPipeline(_ statements: [SQL], on connection: OpaquePointer) throws -> [PostgresRows] {
        // Non-blocking while sending: a blocking write could wait on a server that is
        // itself waiting for us to read its results.
        guard PQsetnonblocking(connection, 1) == 0, PQenterPipelineMode(connection) == 1 else {
            throw PostgresError.from(result: nil, connection: connection, statement: nil)
        }
        defer {
            _ = PQexitPipelineMode(connection)
            _ = PQsetnonblocking(connection, 0)
        }
        for sql in statements {
            let types = sql.types.map { Oid($0.rawValue) }
            let sent = try withParameters(sql.values) { values in
                PQsendQueryParams(connection, sql.text, Int32(sql.values.count), types, values, nil, nil, 0)
            }
            guard sent == 1 else { throw PostgresError.from(result: nil, connection: connection, statement: sql.text) }
            try flush(connection, untilEmpty: false)
        }
        guard PQpipelineSync(connection) == 1 else {
            throw PostgresError.from(result: nil, connection: connection, statement: nil)
        }
        try flush(connection, untilEmpty: true)

        var rows: [PostgresRows] = []
        var firstError: PostgresError? = nil
        for sql in statements {
            // Each statement's results end with a NULL from PQgetResult.
            var last: OpaquePointer? = nil
            while let result = PQgetResult(connection) {
                if let previous = last { PQclear(previous) }
                last = result
            }
            guard let result = last else {
                firstError = firstError ?? PostgresError.from(result: nil, connection: connection, statement: sql.text)
                continue
            }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            do {
                rows.append(try check(result, connection: connection, statement: sql.text))
            } catch let error as PostgresError {
                firstError = firstError ?? error
            }
        }
        // The Sync's own result closes the pipeline.
        while let result = PQgetResult(connection) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if let firstError { throw firstError }
        return rows
    }

    /// Pushes libpq's output buffer to the socket, reading whatever the server sends
    /// meanwhile so neither side can wait on the other forever.
    private static func flush(_ connection: OpaquePointer, untilEmpty: Bool) throws {
        while true {
            let state = PQflush(connection)
            if state == 0 { return }
            if state < 0 { throw PostgresError.from(result: nil, connection: connection, statement: nil) }
            if !untilEmpty { return }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN | POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 1000)
            if descriptor.revents & Int16(POLLIN) != 0, PQconsumeInput(connection) == 0 {
                throw PostgresError.from(result: nil, connection: connection, statement: nil)
            }
        }
    }
}
