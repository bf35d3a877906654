/// What a connection keeps on its own thread: the libpq connection and the
/// statements prepared on it. Only reachable there, through `ThreadBound`.
final class ConnectionState {
    let pq: PQConnection
    var statements: [String: String] = [:]
    var executions: [String: Int] = [:]

    init(pq: PQConnection) { self.pq = pq }
}
