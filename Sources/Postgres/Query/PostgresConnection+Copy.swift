import CLibPQ

extension PostgresConnection {
    /// Streams rows into `COPY ... FROM STDIN`. The body writes through a
    /// `CopyWriter`, which sends every 256 KiB, so memory stays flat however many
    /// rows go through. Returns the number of rows the server copied. When the body
    /// throws, the COPY is aborted (nothing is loaded) and the error rethrown.
    @discardableResult
    public func copyIn(_ sql: SQL, _ body: (CopyWriter) async throws -> Void) async throws -> Int {
        try sql.checkEncoded()
        try await run { connection in
            let result = try Self.withParameters(sql.values) { values in
                PQexecParams(connection, sql.text, Int32(sql.values.count), nil, values, nil, nil, 0)
            }
            guard let result, PQresultStatus(result) == PGRES_COPY_IN else {
                _ = try Self.check(result, connection: connection, statement: sql.text)
                throw PostgresError(kind: .protocolMisuse, message: "not a COPY FROM STDIN statement", statement: sql.text)
            }
            PQclear(result)
        }
        let writer = CopyWriter(connection: self)
        do {
            try await body(writer)
            try await writer.flush()
        } catch {
            let reason = String(describing: error)
            _ = try? await run { connection in
                _ = PQputCopyEnd(connection, "aborted by the client: \(reason)")
                while let result = PQgetResult(connection) { PQclear(result) }
            }
            throw error
        }
        return try await run { connection in
            guard PQputCopyEnd(connection, nil) == 1 else {
                throw PostgresError.from(result: nil, connection: connection, statement: sql.text)
            }
            var rows: PostgresRows? = nil
            var failure: (any Error)? = nil
            while let result = PQgetResult(connection) {
                do { rows = try Self.check(result, connection: connection, statement: sql.text) } catch { failure = error }
            }
            if let failure { throw failure }
            return rows?.affectedRows ?? 0
        }
    }

    func putCopyData(_ bytes: [UInt8]) async throws {
        try await run { connection in
            let sent = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    PQputCopyData(connection, $0, Int32(buffer.count))
                }
            }
            guard sent == 1 else { throw PostgresError.from(result: nil, connection: connection, statement: nil) }
        }
    }
}
