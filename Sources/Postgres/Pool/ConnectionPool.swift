/// A bounded pool of connections to one server.
///
/// `withConnection` lends a connection to one task. When it comes back the pool
/// rolls back any transaction left open and resets session state, so nothing one
/// borrower set (a role, a setting, an advisory lock, a temp table) reaches the next.
/// A connection the server dropped is noticed before it is lent and replaced.
public actor ConnectionPool {
    public nonisolated let configuration: ConnectionConfiguration
    public nonisolated let maxConnections: Int
    public nonisolated let acquireTimeout: Duration

    private var idle: [PostgresConnection] = []
    /// Connections open or being opened, lent or idle.
    private var open = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnection, any Error>)] = []
    private var nextWaiterID = 0
    private var closed = false

    /// Everything a borrower may have changed in the session, undone in one round
    /// trip. Not DISCARD ALL: that would also drop the prepared statements the
    /// connection keeps for speed.
    ///
    /// `RESET ALL` leaves the role and the session authorization alone (both are
    /// marked no-reset-all), so a session-level `SET ROLE` would reach the next
    /// borrower: they are reset first. `RESET SESSION AUTHORIZATION` goes back to the
    /// login that authenticated, which any login may do (only changing it to another
    /// needs a superuser), and resets the role as well; `RESET ROLE` then restores the
    /// role the session started with (none, or the login's `ALTER ROLE ... SET role`).
    static let resetSession =
        "RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; SELECT pg_advisory_unlock_all(); UNLISTEN *; CLOSE ALL; DISCARD TEMP"

    public init(configuration: ConnectionConfiguration, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(10)) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
    }

    /// Lends a connection to `body` and takes it back, healthy or not, afterwards.
    @discardableResult
    public nonisolated func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        // The borrower's code runs on the connection's own thread: its queries,
        // and the checks and reset below, then need no thread hop.
        return try await withTaskExecutorPreference(connection.executor) {
            let value: T
            do {
                value = try await body(connection)
            } catch {
                await giveBack(connection)
                throw error
            }
            await giveBack(connection)
            return value
        }
    }

    /// A transaction on a pooled connection.
    @discardableResult
    public nonisolated func transaction<T>(
        isolation: IsolationLevel = .readCommitted, readOnly: Bool = false, retry: RetryPolicy = .never,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.transaction(isolation: isolation, readOnly: readOnly, retry: retry, body)
        }
    }

    private nonisolated func giveBack(_ connection: PostgresConnection) async {
        let inTransaction = await connection.isInTransaction()
        var reusable = inTransaction ? true : await connection.isHealthyAndIdle()
        if reusable {
            if inTransaction { _ = try? await connection.simpleQuery("ROLLBACK") }
            do {
                try await connection.simpleQuery(Self.resetSession)
            } catch {
                reusable = false
            }
        }
        await release(connection, reusable: reusable)
    }

    public func acquire() async throws -> PostgresConnection {
        if closed { throw PostgresError(kind: .connectionLost, message: "the connection pool is closed") }
        while let connection = idle.popLast() {
            if await connection.isHealthyAndIdle() { return connection }
            await connection.close()
            open -= 1
        }
        if open < maxConnections {
            open += 1
            do {
                return try await PostgresConnection.connect(configuration)
            } catch {
                open -= 1
                throw error
            }
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timeout = acquireTimeout
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(waiter: id)
            }
        }
    }

    private func expire(waiter id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: PostgresError(
            kind: .poolTimeout,
            message: "no database connection became free within \(acquireTimeout) (pool of \(maxConnections))"))
    }

    private func release(_ connection: PostgresConnection, reusable: Bool) async {
        if reusable && !closed {
            if waiters.isEmpty {
                idle.append(connection)
            } else {
                waiters.removeFirst().continuation.resume(returning: connection)
            }
            return
        }
        await connection.close()
        open -= 1
        guard !waiters.isEmpty, !closed else { return }
        // The broken connection's place goes to the next waiter, as a new connection.
        let waiter = waiters.removeFirst()
        open += 1
        do {
            waiter.continuation.resume(returning: try await PostgresConnection.connect(configuration))
        } catch {
            open -= 1
            waiter.continuation.resume(throwing: error)
        }
    }

    /// Connections open right now (lent or idle), for tests and metrics.
    public var openConnections: Int { open }

    /// Closes idle connections and refuses new borrowers; lent ones close on return.
    public func close() async {
        closed = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .connectionLost, message: "the connection pool is closed"))
        }
        waiters.removeAll()
        for connection in idle { await connection.close() }
        open -= idle.count
        idle.removeAll()
    }
}
