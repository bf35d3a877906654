extension PostgresConnection {
    /// Streams rows into `COPY ... FROM STDIN`. The body writes through a
    /// `CopyWriter`, which sends every 256 KiB, so memory stays flat however many
    /// rows go through. Returns the number of rows the server copied. When the body
    /// throws, the COPY is aborted (nothing is loaded) and the error rethrown.
    @discardableResult
    public func copyIn(_ sql: SQL, _ body: (CopyWriter) async throws -> Void) async throws -> Int {
        try sql.checkEncoded()
        try Self.checkParameters(sql.values)
        try await run { state in
            let pq = state.pq
            let result = pq.execParams(sql.text, types: nil, values: sql.values)
            guard let result, result.status == .copyIn else {
                _ = try Self.check(result, on: pq, statement: sql.text)
                throw PostgresError(kind: .protocolMisuse, message: "not a COPY FROM STDIN statement", statement: sql.text)
            }
        }
        let writer = CopyWriter(connection: self)
        do {
            try await body(writer)
            try await writer.flush()
        } catch {
            let reason = String(describing: error)
            _ = try? await run { state in
                _ = state.pq.putCopyEnd(errorMessage: "aborted by the client: \(reason)")
                while state.pq.getResult() != nil {}
            }
            throw error
        }
        return try await run { state in
            let pq = state.pq
            guard pq.putCopyEnd(errorMessage: nil) else {
                throw PostgresError.from(result: nil, connection: pq, statement: sql.text)
            }
            var rows: PostgresRows? = nil
            var failure: (any Error)? = nil
            while let result = pq.getResult() {
                do { rows = try Self.check(result, on: pq, statement: sql.text) } catch { failure = error }
            }
            if let failure { throw failure }
            return rows?.affectedRows ?? 0
        }
    }

    func putCopyData(_ bytes: [UInt8]) async throws {
        try await run { state in
            guard state.pq.putCopyData(bytes) else {
                throw PostgresError.from(result: nil, connection: state.pq, statement: nil)
            }
        }
    }
}
