import Dispatch
import Foundation

/// The one OS thread on which a connection's libpq calls run, usable as a task
/// executor.
///
/// libpq calls block (network round trips, `PQconnectdb`, `PQgetResult`). Running
/// them on Swift's cooperative pool would stall every other task on this 2-core
/// machine; a thread per connection keeps the pool free and serialises the calls
/// that must not overlap on one `PGconn`. A task that prefers this executor
/// (`withTaskExecutorPreference`, as the pool arranges) runs its own code on the
/// same thread, so a query costs no thread hop at all.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs`, `stopping` and `thread` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var thread: Thread?

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        condition.lock()
        self.thread = thread
        condition.unlock()
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                thread = nil
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }

    /// Whether the caller is running on this thread right now.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return thread.map { $0 == Thread.current } ?? false
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        if stopping && thread == nil {
            condition.unlock()
            // The thread is gone; a task that still prefers this executor must not
            // hang, so its job runs elsewhere.
            DispatchQueue.global().async(execute: job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the thread and returns its result: inline when already there.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        submit { unowned.runSynchronously(on: executor) }
    }

    /// Lets the thread exit once the jobs already submitted have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}
