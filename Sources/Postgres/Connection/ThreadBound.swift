/// A value that may only be touched on one `ConnectionThread`, checked on every
/// access, as swift-nio's `NIOLoopBound` checks its event loop.
///
/// A libpq `PGconn` must never be used by two threads at once; the connection keeps
/// it on its own thread, and this makes that a checked rule rather than a comment:
/// reading `value` anywhere else stops the program (`precondition`), in debug and
/// release builds alike. The check costs a thread-local read.
final class ThreadBound<Value>: @unchecked Sendable {
    // Safe: `wrapped` is only reachable through `value`, which checks the thread.
    private let wrapped: Value
    let thread: ConnectionThread

    /// Made on `thread` itself, like `NIOLoopBound`, so the value never crossed threads.
    init(_ value: Value, on thread: ConnectionThread) {
        precondition(thread.isCurrent, "ThreadBound created off its thread")
        self.wrapped = value
        self.thread = thread
    }

    /// Whether `value` may be read here: the check `value` makes, for tests and for
    /// code that must decide rather than trap.
    var isAccessibleHere: Bool { thread.isCurrent }

    /// The value; traps when called on any other thread than the owning one.
    var value: Value {
        precondition(thread.isCurrent, "a connection's libpq state was touched off its connection thread")
        return wrapped
    }
}
