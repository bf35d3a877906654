extension PostgresConnection {
    /// The connection is usable and idle outside a transaction. Checked without a
    /// round trip: a server that closed the connection (restart, terminated backend)
    /// has left something readable on the socket.
    public func isHealthyAndIdle() async -> Bool {
        if isClosed { return false }
        return (try? await run { state -> Bool in
            let pq = state.pq
            guard pq.isOK else { return false }
            if pq.pollSocket(readable: true, writable: false, timeout: 0).readable {
                // An idle connection that has something to read was told goodbye
                // (a FATAL "terminating connection") or already reached end of file.
                // We never LISTEN, so no notification is expected.
                return false
            }
            return pq.isOK && pq.transactionStatus == .idle
        }) ?? false
    }

    /// Whether a transaction is open (or failed and waiting for ROLLBACK).
    public func isInTransaction() async -> Bool {
        (try? await run { state in
            let status = state.pq.transactionStatus
            return status == .inTransaction || status == .inError || status == .active
        }) ?? false
    }

    /// Whether the open transaction failed and waits for ROLLBACK.
    func isInFailedTransaction() async -> Bool {
        (try? await run { state in state.pq.transactionStatus == .inError }) ?? false
    }

    /// A server parameter reported at connect (`server_version`, `TimeZone`, ...).
    public func parameterStatus(_ name: String) async -> String? {
        try? await run { state in state.pq.parameterStatus(name) }
    }
}
