import Foundation
import Postgres
import Testing

@Suite struct PoolTests {
    @Test func concurrentSleepsRunInParallelOffTheCooperativePool() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 8)
        // Warm the pool so the measurement is of queries, not connects.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.withConnection { _ = try await $0.query("SELECT pg_sleep(0.05)") } } }
            try await group.waitForAll()
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { try await pool.withConnection { _ = try await $0.query("SELECT pg_sleep(0.5)") } }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        // A design that blocks the 2-thread cooperative pool takes 2.0 s here.
        #expect(elapsed < .seconds(1.5), "8 concurrent 0.5 s sleeps took \(elapsed)")
        #expect(await pool.openConnections == 8)
        await pool.close()
    }

    @Test func acquireTimesOutWhenEveryConnectionIsLent() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1, acquireTimeout: .milliseconds(200))
        try await pool.withConnection { _ in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { _ in }
            }
            #expect(error?.kind == .poolTimeout)
        }
        // Once returned, the connection is lent again.
        try await pool.withConnection { connection async throws in #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1) }
        await pool.close()
    }

    @Test func aWaiterWhoseTaskIsCancelledThrowsCancellationErrorAtOnce() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1, acquireTimeout: .seconds(30))
        let outcome = try await pool.withConnection { _ async throws -> Result<Void, any Error> in
            let waiter = Task { try await pool.withConnection { _ in } }
            while await pool.waitingBorrowers == 0 { await Task.yield() }
            waiter.cancel()
            // Still holding the only connection: the waiter must end on its own.
            return await waiter.result
        }
        guard case .failure(let error) = outcome else {
            Issue.record("the cancelled waiter got a connection")
            return
        }
        #expect(error is CancellationError, "\(error)")
        #expect(await pool.waitingBorrowers == 0)
        // The pool is intact: its one connection is lent again.
        try await pool.withConnection { connection async throws in #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1) }
        #expect(await pool.openConnections == 1)
        await pool.close()
    }

    @Test func manyWaitersTimeOutOnTheOneTimer() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1, acquireTimeout: .milliseconds(200))
        let kinds = try await pool.withConnection { _ async throws -> [PostgresError.Kind?] in
            try await withThrowingTaskGroup(of: PostgresError.Kind?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            try await pool.withConnection { _ in }
                            return nil
                        } catch let error as PostgresError {
                            return error.kind
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(kinds.count == 20 && kinds.allSatisfy { $0 == .poolTimeout }, "\(kinds)")
        #expect(await pool.waitingBorrowers == 0)
        await pool.close()
    }

    @Test func closingThePoolFailsItsWaiters() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1, acquireTimeout: .seconds(30))
        let outcome = try await pool.withConnection { _ async throws -> Result<Void, any Error> in
            let waiter = Task { try await pool.withConnection { _ in } }
            while await pool.waitingBorrowers == 0 { await Task.yield() }
            await pool.close()
            return await waiter.result
        }
        guard case .failure(let error as PostgresError) = outcome else {
            Issue.record("the waiter was not failed: \(outcome)")
            return
        }
        #expect(error.message.contains("closed"))
        #expect(await pool.openConnections == 0)
    }

    @Test func waitersGetTheConnectionWhenItIsReturned() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 2)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<20 {
                group.addTask { try await pool.withConnection { try await $0.query("SELECT \(n)::int8").scalar(Int.self) ?? -1 } }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<20).reduce(0, +))
        #expect(await pool.openConnections <= 2)
        await pool.close()
    }

    @Test func aConnectionTheServerDroppedIsReplaced() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1)
        let firstPID = try await pool.withConnection { $0.backendPID }
        try await withConnection { killer async throws in
            _ = try await killer.query("SELECT pg_terminate_backend(\(firstPID))")
        }
        try await Task.sleep(for: .milliseconds(200))
        let secondPID = try await pool.withConnection { connection async throws in
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
            return connection.backendPID
        }
        #expect(secondPID != firstPID)
        await pool.close()
    }

    @Test func sessionStateIsResetWhenAConnectionIsReturned() async throws {
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1)
        try await pool.withConnection { connection async throws in
            try await connection.simpleQuery("SET application_name = 'tenant-a-leak'; SET app.tenant_id = 'leaked'")
            try await connection.simpleQuery("CREATE TEMP TABLE scratch (a int); SELECT pg_advisory_lock(4242)")
            try await connection.simpleQuery("BEGIN; SELECT 1")  // left open on purpose
        }
        try await pool.withConnection { connection async throws in
            #expect(await connection.isInTransaction() == false)
            #expect(try await connection.query("SELECT current_setting('application_name')").scalar(String.self) != "tenant-a-leak")
            #expect(try await connection.query("SELECT current_setting('app.tenant_id', true)").scalar(String?.self) ?? "" == "")
            #expect(try await connection.query("SELECT to_regclass('pg_temp.scratch') IS NULL").scalar(Bool.self) == true)
            #expect(try await connection.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").scalar(Int.self) == 0)
        }
        await pool.close()
    }

    @Test func aRoleOrSessionAuthorizationSetByABorrowerIsResetOnReturn() async throws {
        // Roles are cluster-wide: a name of this run's own, dropped at the end.
        let role = uniqueName("pool_reset_role")
        try await withConnection { admin async throws in
            try await admin.simpleQuery("CREATE ROLE \(role) NOLOGIN; GRANT \(role) TO CURRENT_USER")
        }
        let pool = ConnectionPool(configuration: try await Shared.configuration(), maxConnections: 1)
        var failure: (any Error)?
        do {
            let login = try await pool.withConnection { connection async throws in
                let login = try await connection.query("SELECT session_user::text").scalar(String.self)
                try await connection.simpleQuery("SET ROLE \(role)")
                #expect(try await connection.query("SELECT current_user::text").scalar(String.self) == role)
                return login
            }
            try await pool.withConnection { connection async throws in
                #expect(try await connection.query("SELECT current_user::text").scalar(String.self) == login)
                // The tests' login is a superuser, which may change the session authorization too.
                try await connection.simpleQuery("SET SESSION AUTHORIZATION \(role)")
                #expect(try await connection.query("SELECT session_user::text").scalar(String.self) == role)
            }
            try await pool.withConnection { connection async throws in
                let users = try await connection.query("SELECT session_user::text, current_user::text").decode((String, String).self)
                #expect(users.first?.0 == login && users.first?.1 == login, "\(users)")
            }
        } catch {
            failure = error
        }
        await pool.close()
        try await withConnection { admin async throws in try await admin.simpleQuery("DROP ROLE \(role)") }
        if let failure { throw failure }
    }

    @Test func anOrdinaryLoginsConnectionIsResetAndKeptToo() async throws {
        // The reset must not need a superuser: programs log in as plain NOINHERIT logins.
        // A connection whose reset failed would be closed, not lent again.
        let login = uniqueName("pool_reset_login")
        let group = uniqueName("pool_reset_group")
        let password = UUID().uuidString
        try await withConnection { admin async throws in
            try await admin.simpleQuery("""
                CREATE ROLE \(group) NOLOGIN; CREATE ROLE \(login) LOGIN NOINHERIT PASSWORD '\(password)';
                GRANT \(group) TO \(login)
                """)
        }
        var configuration = try await Shared.configuration().with(user: login)
        configuration["password"] = password
        let pool = ConnectionPool(configuration: configuration, maxConnections: 1)
        var failure: (any Error)?
        do {
            let first = try await pool.withConnection { connection async throws in
                try await connection.simpleQuery("SET ROLE \(group)")
                return connection.backendPID
            }
            try await pool.withConnection { connection async throws in
                #expect(connection.backendPID == first, "the reset failed, so the connection was replaced")
                #expect(try await connection.query("SELECT current_user::text").scalar(String.self) == login)
            }
        } catch {
            failure = error
        }
        await pool.close()
        try await withConnection { admin async throws in try await admin.simpleQuery("DROP ROLE \(login); DROP ROLE \(group)") }
        if let failure { throw failure }
    }

    @Test func aFailedConnectDoesNotLeakASlot() async throws {
        let pool = ConnectionPool(configuration: try ConnectionConfiguration("host=127.0.0.1 port=1 connect_timeout=2"), maxConnections: 1)
        for _ in 0..<3 {
            await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in } }
        }
        #expect(await pool.openConnections == 0)
        await pool.close()
    }
}
