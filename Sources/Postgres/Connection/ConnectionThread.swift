import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one OS thread on which a connection's libpq calls run, usable as a task
/// executor; public for the other blocking C libraries' calls (libcurl's SMTP in
/// Delivery), which need the same keeping off the cooperative pool.
///
/// libpq calls block (network round trips, `PQconnectdb`, `PQgetResult`). Running
/// them on Swift's cooperative pool would stall every other task on this 2-core
/// machine; a thread per connection keeps the pool free and serialises the calls
/// that must not overlap on one `PGconn`. A task that prefers this executor
/// (`withTaskExecutorPreference`, as the pool arranges) runs its own code on the
/// same thread, so a query costs no thread hop at all.
public final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs`, `stopping` and `running` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var running = true

    public init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func loop() {
        pthread_setspecific(currentThreadKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentThreadKey, nil) }
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                running = false
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }

    /// Whether the caller is running on this thread right now. Cheap (a thread-local
    /// read, no lock): `ThreadBound` checks it on every access.
    public var isCurrent: Bool {
        pthread_getspecific(currentThreadKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Queues `job` to run on the thread; false (and the job dropped) once the thread
    /// has ended.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard running else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Runs `body` on the thread and returns its result: inline when already there.
    /// Throws `connectionLost` once the thread has ended.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = submit { continuation.resume(with: Result { try body() }) }
            if !accepted {
                continuation.resume(throwing: PostgresError(kind: .connectionLost, message: "the connection is closed"))
            }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let accepted = submit { unowned.runSynchronously(on: executor) }
        if !accepted {
            // The thread is gone; a task that still prefers this executor must not
            // hang, so its job runs elsewhere (where it can touch no connection state).
            DispatchQueue.global().async { unowned.runSynchronously(on: executor) }
        }
    }

    /// Lets the thread exit once the jobs already submitted have run.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}

/// Holds, on each `ConnectionThread`, the thread object itself (unretained).
private let currentThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "pthread_key_create failed")
    return key
}()
