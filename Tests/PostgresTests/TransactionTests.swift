import Postgres
import Testing

@Suite struct TransactionTests {
    @Test func commitsWhenTheBodyReturnsAndRollsBackWhenItThrows() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("ledger")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int)")
            try await connection.transaction { tx in
                try await tx.execute("INSERT INTO \(identifier: table) VALUES (1)")
            }
            struct Refusal: Error {}
            await #expect(throws: Refusal.self) {
                try await connection.transaction { tx in
                    try await tx.execute("INSERT INTO \(identifier: table) VALUES (2)")
                    throw Refusal()
                }
            }
            #expect(try await connection.query("SELECT array_agg(n) FROM \(identifier: table)").scalar([Int].self) == [1])
            #expect(await connection.isInTransaction() == false)
        }
    }

    @Test func aBodyThatSwallowsAFailedStatementsErrorIsNotReportedAsCommitted() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("swallowed")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int PRIMARY KEY)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.transaction { tx in
                    try await tx.execute("INSERT INTO \(identifier: table) VALUES (1)")
                    // A unique violation, caught and ignored: the transaction is aborted.
                    _ = try? await tx.execute("INSERT INTO \(identifier: table) VALUES (1)")
                }
            }
            #expect(error?.kind == .transactionRolledBack)
            #expect(error?.message.contains("rolled back") == true)
            #expect(try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0)
            #expect(await connection.isInTransaction() == false)
            // A body whose caught failure was undone by a savepoint still commits.
            try await connection.transaction { tx in
                try await tx.execute("INSERT INTO \(identifier: table) VALUES (2)")
                try await tx.simpleQuery("SAVEPOINT attempt")
                do {
                    try await tx.execute("INSERT INTO \(identifier: table) VALUES (2)")
                } catch {
                    try await tx.simpleQuery("ROLLBACK TO SAVEPOINT attempt")
                }
            }
            #expect(try await connection.query("SELECT array_agg(n) FROM \(identifier: table)").scalar([Int].self) == [2])
        }
    }

    @Test func isolationLevelAndReadOnlyAreApplied() async throws {
        try await withConnection { connection async throws in
            let level = try await connection.transaction(isolation: .serializable, readOnly: true) { tx in
                try await tx.query("SHOW transaction_isolation").scalar(String.self)
            }
            #expect(level == "serializable")
            await #expect(throws: PostgresError.self) {
                try await connection.transaction(readOnly: true) { tx in
                    try await tx.execute("CREATE TEMP TABLE nope (a int)")
                }
            }
        }
    }

    @Test func serializationFailuresAreRetriedWhenAskedTo() async throws {
        let table = uniqueName("counter")
        try await withConnection { setup async throws in
            try await setup.simpleQuery("CREATE TABLE \(table) (n int); INSERT INTO \(table) VALUES (0)")
        }
        // Twenty serializable read-modify-write transactions on one row, concurrently:
        // without retries some fail with 40001; with them every increment lands.
        let connections = try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
            for _ in 0..<4 { group.addTask { try await Shared.connect() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    for _ in 0..<5 {
                        try await connection.transaction(isolation: .serializable, retry: .transient(attempts: 50)) { tx in
                            let n = try await tx.query("SELECT n FROM \(identifier: table)").scalar(Int.self) ?? 0
                            try await Task.sleep(for: .milliseconds(2))
                            try await tx.execute("UPDATE \(identifier: table) SET n = \(n + 1)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await withConnection { check async throws in
            #expect(try await check.query("SELECT n FROM \(identifier: table)").scalar(Int.self) == 20)
        }
        for connection in connections { await connection.close() }
    }

    @Test func nestedTransactionsAreRefused() async throws {
        try await withConnection { connection async throws in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.transaction { tx in
                    try await tx.transaction { _ in }
                }
            }
            #expect(error?.kind == .protocolMisuse)
        }
    }
}
