/// The pool's bookkeeping as a plain value: idle connections, how many are open,
/// who waits and until when, whether the pool is closed. It decides; the
/// `ConnectionPool` actor carries its decisions out (connects, closes, resumes
/// waiters). So every rule is unit-tested without a server or a clock, the way
/// postgres-nio tests its pool's state machine.
///
/// Generic over the connection so tests can use plain values.
struct PoolStateMachine<Connection> {
    typealias WaiterID = Int
    typealias Instant = ContinuousClock.Instant

    enum Failure: Equatable, Sendable {
        case closed
    }

    enum AcquireAction {
        /// Lend this idle connection (the pool checks it first; see `discard`).
        case lend(Connection)
        /// A slot was taken: open a new connection for the borrower (`connectFailed` if it fails).
        case connect
        /// Every connection is lent: the borrower waits (until its deadline, or cancellation).
        case wait
        case fail(Failure)
    }

    enum SlotAction {
        case none
        /// A slot freed up and was taken for this waiter: wake it to open its connection.
        case grantSlot(to: WaiterID)
    }

    enum ReleaseAction {
        /// Hand the returned connection straight to this waiter.
        case lend(Connection, to: WaiterID)
        /// Kept, idle.
        case keepIdle
        /// Close it (broken, or the pool is closed), then do `then` with its slot.
        case close(Connection, then: SlotAction)
    }

    let maxConnections: Int
    private(set) var idle: [Connection] = []
    /// Connections open or being opened, lent or idle.
    private(set) var open = 0
    /// In arrival order.
    private var waiters: [(id: WaiterID, deadline: Instant)] = []
    private(set) var isClosed = false

    init(maxConnections: Int) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.maxConnections = maxConnections
    }

    var waiterCount: Int { waiters.count }
    func isWaiting(_ id: WaiterID) -> Bool { waiters.contains { $0.id == id } }
    /// The earliest deadline of a waiter: when the pool's one timer must fire next.
    var nextDeadline: Instant? { waiters.map(\.deadline).min() }

    /// A borrower asks for a connection; `id` and `deadline` are used if it must wait.
    mutating func acquire(waiter id: WaiterID, deadline: Instant) -> AcquireAction {
        if isClosed { return .fail(.closed) }
        if let connection = idle.popLast() { return .lend(connection) }
        if open < maxConnections {
            open += 1
            return .connect
        }
        waiters.append((id, deadline))
        return .wait
    }

    /// A lent (or just taken idle) connection was found broken and closed: its slot
    /// goes to the next waiter, if any.
    mutating func discard() -> SlotAction {
        open -= 1
        return nextSlot()
    }

    /// Opening a connection for a taken slot failed: the slot is free again.
    mutating func connectFailed() -> SlotAction {
        open -= 1
        return nextSlot()
    }

    /// A borrower gives a connection back, `reusable` when it is healthy and reset.
    mutating func release(_ connection: Connection, reusable: Bool) -> ReleaseAction {
        if reusable && !isClosed {
            if !waiters.isEmpty {
                return .lend(connection, to: waiters.removeFirst().id)
            }
            idle.append(connection)
            return .keepIdle
        }
        open -= 1
        return .close(connection, then: nextSlot())
    }

    /// A waiting borrower's task was cancelled: true when it was still waiting (it is
    /// removed, and the pool fails it with `CancellationError`).
    mutating func cancel(waiter id: WaiterID) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// The waiters whose deadline is `now` or earlier, removed: the pool fails them
    /// with a timeout.
    mutating func expire(now: Instant) -> [WaiterID] {
        let expired = waiters.filter { $0.deadline <= now }.map(\.id)
        waiters.removeAll { $0.deadline <= now }
        return expired
    }

    /// Closes the pool: the waiters to fail and the idle connections to close.
    /// Lent connections are closed when they come back.
    mutating func close() -> (waiters: [WaiterID], idle: [Connection]) {
        isClosed = true
        let result = (waiters.map(\.id), idle)
        open -= idle.count
        idle.removeAll()
        waiters.removeAll()
        return result
    }

    private mutating func nextSlot() -> SlotAction {
        guard !isClosed, !waiters.isEmpty, open < maxConnections else { return .none }
        open += 1
        return .grantSlot(to: waiters.removeFirst().id)
    }
}
