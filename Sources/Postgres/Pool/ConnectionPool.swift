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

    /// Idle connections, open count, waiters and deadlines, closed: every decision.
    private var state: PoolStateMachine<PostgresConnection>
    /// The suspended borrowers, by waiter id (the state machine knows their order).
    private var waiting: [Int: CheckedContinuation<Grant, any Error>] = [:]
    private var nextWaiterID = 0
    /// The pool's one timer: it sleeps until the earliest waiter's deadline.
    private var timer: (task: Task<Void, Never>, deadline: ContinuousClock.Instant, generation: Int)?
    private var timerGeneration = 0

    /// What a waiter is woken with.
    private enum Grant: Sendable {
        /// A returned connection, lent to it.
        case connection(PostgresConnection)
        /// A slot (a broken connection's, or a failed connect's): it opens its own.
        case slot
    }

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
        self.state = PoolStateMachine(maxConnections: maxConnections)
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
        preamble: String? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.transaction(isolation: isolation, readOnly: readOnly, retry: retry, preamble: preamble, body)
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

    /// Borrows a connection; only `withConnection` calls it, which always gives it back.
    /// A borrower that must wait throws `poolTimeout` after `acquireTimeout` and
    /// `CancellationError` as soon as its task is cancelled.
    func acquire() async throws -> PostgresConnection {
        while true {
            let id = nextWaiterID
            nextWaiterID += 1
            switch state.acquire(waiter: id, deadline: .now + acquireTimeout) {
            case .fail(.closed):
                throw Self.closedError
            case .lend(let connection):
                if await connection.isHealthyAndIdle() { return connection }
                await connection.close()
                perform(state.discard())
            case .connect:
                return try await openConnection()
            case .wait:
                switch try await wait(id) {
                case .connection(let connection): return connection
                case .slot: return try await openConnection()
                }
            }
        }
    }

    /// Opens a connection for a slot the state machine has counted.
    private func openConnection() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration)
        } catch {
            perform(state.connectFailed())
            throw error
        }
    }

    /// Suspends a waiter the state machine has queued, until a connection or a slot
    /// is handed to it, its deadline passes, its task is cancelled or the pool closes.
    private func wait(_ id: Int) async throws -> Grant {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled, state.cancel(waiter: id) {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiting[id] = continuation
                armTimer()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard state.cancel(waiter: id) else { return }  // served, expired or already gone
        waiting.removeValue(forKey: id)?.resume(throwing: CancellationError())
        armTimer()
    }

    private func wake(_ id: Int, with grant: Grant) {
        guard let continuation = waiting.removeValue(forKey: id) else {
            // Cannot happen: a waiter is queued and its continuation stored in one
            // actor turn, and both are removed together.
            assertionFailure("waiter \(id) has no continuation")
            return
        }
        continuation.resume(returning: grant)
    }

    private func perform(_ action: PoolStateMachine<PostgresConnection>.SlotAction) {
        if case .grantSlot(let id) = action { wake(id, with: .slot) }
    }

    // MARK: Deadlines

    /// Keeps one timer task, sleeping until the earliest waiter's deadline (none when
    /// nobody waits): not a task per waiter.
    private func armTimer() {
        guard let deadline = state.nextDeadline else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        let task = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            if Task.isCancelled { return }
            await self?.timerFired(generation)
        }
        timer = (task, deadline, generation)
    }

    private func timerFired(_ generation: Int) {
        guard timer?.generation == generation else { return }
        timer = nil
        let error = PostgresError(
            kind: .poolTimeout,
            message: "no database connection became free within \(acquireTimeout) (pool of \(maxConnections))")
        for id in state.expire(now: .now) {
            waiting.removeValue(forKey: id)?.resume(throwing: error)
        }
        armTimer()
    }

    // MARK: Returning

    private func release(_ connection: PostgresConnection, reusable: Bool) async {
        switch state.release(connection, reusable: reusable) {
        case .lend(let connection, let id):
            wake(id, with: .connection(connection))
            armTimer()
        case .keepIdle:
            break
        case .close(let connection, let then):
            await connection.close()
            perform(then)
        }
    }

    private static var closedError: PostgresError {
        PostgresError(kind: .connectionLost, message: "the connection pool is closed")
    }

    /// Connections open right now (lent or idle), for tests and metrics.
    public var openConnections: Int { state.open }

    /// Borrowers waiting for a connection, for tests and metrics.
    public var waitingBorrowers: Int { state.waiterCount }

    /// Closes idle connections and refuses new borrowers; lent ones close on return.
    public func close() async {
        let (waiters, idle) = state.close()
        for id in waiters {
            waiting.removeValue(forKey: id)?.resume(throwing: Self.closedError)
        }
        armTimer()
        for connection in idle { await connection.close() }
    }
}
