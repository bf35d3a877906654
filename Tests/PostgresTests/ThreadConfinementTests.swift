@testable import Postgres
import Testing

/// A connection's libpq state is reachable only on its own thread, and that is
/// checked (`ThreadBound`), not just promised in a comment.
@Suite struct ThreadConfinementTests {
    final class Counter { var value = 0 }

    @Test func theCheckTellsTheOwningThreadFromEveryOther() async throws {
        let owner = ConnectionThread(name: "confinement-owner")
        let other = ConnectionThread(name: "confinement-other")
        defer { owner.stop(); other.stop() }
        let bound = try await owner.run { ThreadBound(Counter(), on: owner) }
        // Here, a task on the cooperative pool: not the owner.
        #expect(bound.isAccessibleHere == false)
        #expect(try await other.run { bound.isAccessibleHere } == false)
        #expect(try await owner.run { bound.isAccessibleHere } == true)
        // On the owning thread the value is usable.
        let count = try await owner.run { () -> Int in
            bound.value.value += 1
            return bound.value.value
        }
        #expect(count == 1)
    }

    @Test func aConnectionsStateIsBoundToItsThread() async throws {
        try await withConnection { connection async throws in
            #expect(connection.state.isAccessibleHere == false)
            #expect(try await connection.run { _ in connection.state.isAccessibleHere } == true)
            // A borrower preferring the connection's executor runs on that thread too.
            let onThread = await withTaskExecutorPreference(connection.executor) { connection.state.isAccessibleHere }
            #expect(onThread)
        }
    }

    @Test func touchingTheValueOffItsThreadStopsTheProgram() async {
        // In a child process: the precondition fires there, not in this test process.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let owner = ConnectionThread(name: "confinement-owner")
            let bound = try await owner.run { ThreadBound(Counter(), on: owner) }
            bound.value.value += 1
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("touched off its connection thread"), "\(stderr)")
    }

    @Test func aStoppedThreadRefusesWorkInsteadOfRunningItElsewhere() async throws {
        let thread = ConnectionThread(name: "confinement-stopped")
        #expect(try await thread.run { 1 } == 1)
        thread.stop()
        // Once it has ended, a job is refused with connectionLost (it would otherwise
        // touch the connection from a thread of Dispatch's).
        var refused: PostgresError?
        for _ in 0..<1000 {
            do {
                _ = try await thread.run { 1 }
                try await Task.sleep(for: .milliseconds(5))
            } catch let error as PostgresError {
                refused = error
                break
            }
        }
        #expect(refused?.kind == .connectionLost)
    }
}
