/// What a connection keeps on its own thread: the libpq connection and the
/// statements prepared on it.
final class ConnectionState: @unchecked Sendable {
    // Safe: only touched by jobs on the connection's thread, one after another.
    let pq: PQConnection
    var statements: [String: String] = [:]
    var executions: [String: Int] = [:]

    init(pq: PQConnection) { self.pq = pq }
}
