import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// A day whose advisory lock another session holds: a worker killed mid-day leaves
/// its transaction open until the server notices, and a rerun must not skip the day.
@Suite struct HeldDayTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("heldday") }
    static let asOf = CalendarDate("2013-04-30")!

    /// Opens a transaction holding the day's lock, the way a worker's day does.
    func holdDay(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> PostgresConnection {
        let holder = try await fixture.database.connect()
        _ = try await holder.simpleQuery("BEGIN")
        _ = try await holder.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(\(TenantDay.lockKey(tenant: tenant.id, asOf: Self.asOf)), 0))")
        return holder
    }

    /// Returns once a session waits for the day's lock (seen in `pg_locks`, not guessed from time).
    func waitUntilSomeoneWaits(_ holder: PostgresConnection, _ tenant: Tenant) async throws {
        let key = TenantDay.lockKey(tenant: tenant.id, asOf: Self.asOf)
        for _ in 0..<600 {
            let waiting = try await holder.query("""
                SELECT count(*) FROM pg_locks l
                WHERE l.locktype = 'advisory' AND NOT l.granted
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(\(key), 0)
                """).scalar(Int.self)
            if waiting == 1 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no session ever waited for the day's lock")
    }

    func snapshots(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> Int {
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT count(*) FROM ageing_snapshots WHERE as_of = \(Self.asOf)").scalar(Int.self) ?? 0
        }
    }

    @Test func aDayHeldByAWorkerThatDiesIsDoneWhenItsTransactionEnds() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("dies")
        try await SyntheticBook.write(into: tenant, service: fixture.service, clients: 4)
        let holder = try await holdDay(fixture, tenant)
        let day = TenantDay(database: fixture.service)
        let run = Task { try await day.run(tenant: tenant, asOf: Self.asOf, runID: nil, onlyIfNotDone: true) }
        try await waitUntilSomeoneWaits(holder, tenant)
        // The killed worker's transaction ends without marking the day.
        _ = try await holder.simpleQuery("ROLLBACK")
        await holder.close()
        guard case .done(let rows, _, _, _, _) = try await run.value else {
            Issue.record("the day was not done")
            return
        }
        #expect(rows > 0)
        #expect(try await snapshots(fixture, tenant) > 0)
    }

    @Test func aDayAnotherWorkerFinishesWhileThisOneWaitsIsNotComputedAgain() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("finishes")
        try await SyntheticBook.write(into: tenant, service: fixture.service, clients: 4)
        let holder = try await holdDay(fixture, tenant)
        let day = TenantDay(database: fixture.service)
        // Even a recompute does not redo a day finished while it waited.
        let run = Task { try await day.run(tenant: tenant, asOf: Self.asOf, runID: nil, onlyIfNotDone: false) }
        try await waitUntilSomeoneWaits(holder, tenant)
        _ = try await holder.execute("""
            INSERT INTO tenant_days (tenant_id, job, as_of, finished_at, duration_ms, rows_written)
            VALUES (\(tenant.id), \(TenantDay.job), \(Self.asOf), now(), 1, 0)
            """)
        _ = try await holder.simpleQuery("COMMIT")
        await holder.close()
        #expect(try await run.value == .doneMeanwhile)
        #expect(try await snapshots(fixture, tenant) == 0)
    }
}
