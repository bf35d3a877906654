import Foundation
import Postgres
import Testing

/// `PQcancel` opens a connection to the server and waits for its answer: a blocking
/// call. Run on the cancelling task's thread, a few cancellations at once would stop
/// Swift's cooperative pool (two threads on this machine) for as long as they wait.
@Suite struct CancellationTests {
    @Test func cancellationsWaitOnThreadsOfTheirOwnNeverOnTheCooperativePool() async throws {
        let base = try await Shared.configuration()
        let upstream = try #require(UInt16(base["port"] ?? "5432"))
        // Holds every cancel request until released (or for 10 s), so PQcancel blocks.
        let proxy = try CancelHoldingProxy(upstreamPort: upstream, holdLimit: .seconds(10))
        defer { proxy.stop() }
        var configuration = base
        configuration["hostaddr"] = nil
        configuration["host"] = "127.0.0.1"
        configuration["port"] = "\(proxy.port)"
        configuration["sslmode"] = "disable"
        configuration["gssencmode"] = "disable"
        // More cancellations than the cooperative pool has threads, whatever the machine.
        let count = max(8, ProcessInfo.processInfo.activeProcessorCount + 1)
        var connections: [PostgresConnection] = []
        for _ in 0..<count { connections.append(try await PostgresConnection.connect(configuration)) }
        let marker = uniqueName("cancel_probe")
        let queries = connections.map { connection in
            Task { try await connection.query("SELECT pg_sleep(60) AS \(identifier: marker)") }
        }
        try await withConnection { watcher async throws in
            for _ in 0..<1000 {
                let running = try await watcher.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE \("%\(marker)%")
                      AND pid <> pg_backend_pid()
                    """).scalar(Int.self) ?? 0
                if running == count { break }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        // Each cancellation from a task of the cooperative pool.
        for query in queries { Task { query.cancel() } }
        let heldAll = await proxy.waitUntilHolding(count)
        // Every PQcancel is now blocked in the proxy; a task on the pool still runs.
        let poolRanMeanwhile = await Task.detached { !proxy.isReleased }.value
        #expect(heldAll, "only \(proxy.heldCount) of \(count) cancel requests reached the server while they were held")
        #expect(poolRanMeanwhile, "the cooperative pool was blocked until the cancel requests were let through")
        proxy.release()
        // Let through, the requests cancel the sleeps (60 s each).
        for query in queries {
            let result = await query.result
            guard case .failure(let error as PostgresError) = result else {
                Issue.record("the sleep was not cancelled: \(result)")
                continue
            }
            #expect(error.kind == .queryCanceled)
        }
        for connection in connections {
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
            await connection.close()
        }
    }
}
