import Foundation

/// One connection to PostgreSQL.
///
/// Every libpq call on the connection runs on the connection's own thread (see
/// `ConnectionThread`), so awaiting a query never blocks Swift's cooperative pool.
/// One task at a time should use a connection; the pool hands them out that way.
public final class PostgresConnection: @unchecked Sendable {
    // Safe: `state` is only reachable on `thread`, which runs its jobs one after
    // another (checked: `ThreadBound`). `cancelHandle` and `closed` are guarded by `lock`.
    private let thread: ConnectionThread
    let state: ThreadBound<ConnectionState>
    private let lock = NSLock()
    private var cancelHandle: PQCancel?
    private var closed = false
    public let configuration: ConnectionConfiguration
    /// The server's backend process id, for `pg_terminate_backend` and logs.
    public let backendPID: Int32

    /// On the connection's thread.
    private init(thread: ConnectionThread, pq: PQConnection, configuration: ConnectionConfiguration) {
        self.thread = thread
        let statements = configuration.prepareThreshold.map {
            StatementCache(threshold: max($0, 1), capacity: max(configuration.preparedStatementLimit, 1))
        }
        self.state = ThreadBound(ConnectionState(pq: pq, statements: statements), on: thread)
        self.configuration = configuration
        self.backendPID = pq.backendPID
        self.cancelHandle = pq.makeCancel()
    }

    public static func connect(_ connectionString: String) async throws -> PostgresConnection {
        try await connect(ConnectionConfiguration(connectionString))
    }

    /// Opens a connection; `connect_timeout` in the configuration bounds the wait.
    public static func connect(_ configuration: ConnectionConfiguration) async throws -> PostgresConnection {
        let thread = ConnectionThread(name: "postgres-connection")
        let conninfo = configuration.connectionString
        do {
            return try await thread.run {
                guard let pq = PQConnection.connect(conninfo) else {
                    throw PostgresError(kind: .connectionFailed, message: "out of memory creating a connection")
                }
                guard pq.isOK else {
                    // libpq names the host or socket it tried, and may quote a value it could
                    // not use (a port that was a password missing its `@`), the server a
                    // database name that was a URI: no part of a password is ever printed.
                    let message = configuration.redacting(pq.errorMessage.trimmingTrailingWhitespace())
                    pq.finish()
                    throw PostgresError(
                        kind: .connectionFailed,
                        message: message.isEmpty ? "could not connect to \(configuration.serverDescription)" : message)
                }
                // Notices (e.g. "relation already exists, skipping") are not errors.
                pq.ignoreNotices()
                return PostgresConnection(thread: thread, pq: pq, configuration: configuration)
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    deinit {
        if !closed { finish() }
    }

    /// Closes the connection. Further calls throw `connectionLost`.
    public func close() async {
        let already = lock.withLock {
            defer { closed = true }
            return closed
        }
        if !already { finish() }
    }

    private func finish() {
        lock.withLock { cancelHandle = nil }
        // The job keeps the state alive: in deinit it outlives `self`. (Were the thread
        // already gone, nothing could reach the state and its deinit would finish it.)
        thread.submit { [state] in state.value.pq.finish() }
        thread.stop()
    }

    var isClosed: Bool { lock.withLock { closed } }

    /// The connection's thread as a task executor. Code run with
    /// `withTaskExecutorPreference(connection.executor)` runs on that thread, where
    /// the connection's calls need no hop; `ConnectionPool` lends connections so.
    public var executor: any TaskExecutor { thread }

    /// Runs a job on the connection's thread; a cancelled task asks the server to
    /// cancel the running statement, so cancellation never waits for a long query.
    func run<T: Sendable>(_ body: @escaping @Sendable (ConnectionState) throws -> T) async throws -> T {
        if isClosed { throw PostgresError(kind: .connectionLost, message: "the connection is closed") }
        return try await withTaskCancellationHandler {
            try await thread.run { [state] in
                let state = state.value
                guard !state.pq.isFinished else {
                    throw PostgresError(kind: .connectionLost, message: "the connection is closed")
                }
                return try body(state)
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Asks the server to cancel the statement now running, if any, and returns at
    /// once: the request is sent from a thread of its own.
    ///
    /// `PQcancel` opens a new connection to the server and waits for it to close, a
    /// blocking call. The caller is usually a task of Swift's cooperative pool (a
    /// cancellation handler runs on the thread that cancels), so it never runs there,
    /// nor under the lock, which is held only to take a reference to the handle; the
    /// connection's own thread is busy with the statement being cancelled.
    public func cancel() {
        guard let handle = lock.withLock({ cancelHandle }) else { return }
        let thread = Thread { _ = handle.cancel() }
        thread.name = "postgres-cancel"
        thread.stackSize = 256 << 10
        thread.start()
    }
}
