/// What a connection keeps on its own thread: the libpq connection and the
/// statements prepared on it. Only reachable there, through `ThreadBound`.
final class ConnectionState {
    let pq: PQConnection
    /// Nil when the configuration never prepares.
    var statements: StatementCache?

    init(pq: PQConnection, statements: StatementCache?) {
        self.pq = pq
        self.statements = statements
    }
}
