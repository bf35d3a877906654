import Postgres
import Testing

@Suite struct ErrorTests {
    @Test func constraintViolationsAreClassifiedAndNameTheConstraint() async throws {
        try await withConnection { connection async throws in
            let parent = uniqueName("parent")
            let child = uniqueName("child")
            try await connection.simpleQuery("""
                CREATE TABLE \(parent) (id int PRIMARY KEY, email text UNIQUE, amount int CHECK (amount >= 0) NOT NULL DEFAULT 0);
                CREATE TABLE \(child) (parent_id int REFERENCES \(parent)(id))
                """)
            try await connection.execute("INSERT INTO \(identifier: parent) (id, email) VALUES (1, \("secret@example.com"))")

            let unique = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(identifier: parent) (id, email) VALUES (2, \("secret@example.com"))")
            }
            #expect(unique?.kind == .uniqueViolation)
            #expect(unique?.sqlState == "23505")
            #expect(unique?.constraint == "\(parent)_email_key")
            #expect(unique?.detail?.contains("secret@example.com") == true)
            // The plain description is for logs: it never repeats the row's values.
            #expect(unique?.description.contains("secret@example.com") == false)

            let foreign = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(identifier: child) VALUES (99)")
            }
            #expect(foreign?.kind == .foreignKeyViolation)
            let check = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(identifier: parent) (id, amount) VALUES (3, -1)")
            }
            #expect(check?.kind == .checkViolation)
            let notNull = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(identifier: parent) (id, amount) VALUES (4, NULL)")
            }
            #expect(notNull?.kind == .notNullViolation)
            #expect(notNull?.column == "amount")
        }
    }

    @Test func syntaxErrorsCarryHintsAndStayServerErrors() async throws {
        try await withConnection { connection async throws in
            let error = await #expect(throws: PostgresError.self) { try await connection.query("SELEC 1") }
            #expect(error?.kind == .server)
            #expect(error?.sqlState == "42601")
            let missing = await #expect(throws: PostgresError.self) { try await connection.query("SELECT nosuchcolumn FROM pg_class") }
            #expect(missing?.sqlState == "42703")
        }
    }

    @Test func deadlocksAreClassified() async throws {
        let table = uniqueName("locks")
        try await withConnection { setup async throws in
            try await setup.simpleQuery("CREATE TABLE \(table) (id int PRIMARY KEY); INSERT INTO \(table) VALUES (1), (2)")
        }
        let first = try await Shared.connect()
        let second = try await Shared.connect()
        try await first.simpleQuery("BEGIN; UPDATE \(table) SET id = id WHERE id = 1")
        try await second.simpleQuery("BEGIN; UPDATE \(table) SET id = id WHERE id = 2")
        let a = Task { try await first.simpleQuery("UPDATE \(table) SET id = id WHERE id = 2") }
        try await Task.sleep(for: .milliseconds(100))
        let b = Task { try await second.simpleQuery("UPDATE \(table) SET id = id WHERE id = 1") }
        let results = [await a.result, await b.result]
        let kinds = results.compactMap { result -> PostgresError.Kind? in
            if case .failure(let error as PostgresError) = result { return error.kind }
            return nil
        }
        #expect(kinds == [.deadlock])
        _ = try? await first.simpleQuery("ROLLBACK")
        _ = try? await second.simpleQuery("ROLLBACK")
        await first.close()
        await second.close()
    }

    @Test func serverGoingAwayMidQueryIsConnectionLost() async throws {
        let victim = try await Shared.connect()
        let killer = try await Shared.connect()
        let running = Task { try await victim.query("SELECT pg_sleep(10)") }
        try await Task.sleep(for: .milliseconds(300))
        try await killer.query("SELECT pg_terminate_backend(\(victim.backendPID))")
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) { _ = try await running.value }
        #expect(error?.kind == .connectionLost)
        #expect(ContinuousClock.now - started < .seconds(5))
        // Further use fails cleanly too, without a crash or a hang.
        await #expect(throws: PostgresError.self) { try await victim.query("SELECT 1") }
        await victim.close()
        await killer.close()
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        try await withConnection { connection async throws in
            let task = Task { try await connection.query("SELECT pg_sleep(30)") }
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - started < .seconds(5))
            guard case .failure(let error as PostgresError) = result else {
                Issue.record("the sleep was not cancelled")
                return
            }
            #expect(error.kind == .queryCanceled)
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
        }
    }
}

