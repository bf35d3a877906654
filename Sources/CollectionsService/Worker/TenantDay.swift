public import Foundation
public import Postgres

/// One tenant's day of the daily job, done in one transaction.
///
/// Late fees, promise decisions, the next day's dunning, snapshots and the `tenant_days` row that marks
/// the day done commit together or not at all: a crash at any moment leaves either
/// the whole day or none of it, and a rerun replaces the day with equal rows.
public struct TenantDay: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Snapshot rows stored, fees accrued, promises decided, plans defaulted or kept, dunning messages queued.
        case done(snapshotRows: Int, feesAccrued: Int, promisesDecided: Int, plansDecided: Int, messagesQueued: Int)
        /// Another worker held this day and finished it while this one waited.
        case doneMeanwhile
        /// Already done, and the caller asked only for days not done.
        case skippedDone
    }

    public static let job = "daily"

    let database: CollectionsDatabase

    public init(database: CollectionsDatabase) { self.database = database }

    public func run(tenant: Tenant, asOf: CalendarDate, runID: UUID?, onlyIfNotDone: Bool) async throws -> Outcome {
        let started = ContinuousClock.now
        return try await database.withTenant(tenant.id, retry: .transient(attempts: 5)) { tx in
            // Round trips are few and each carries several statements: the day is
            // milliseconds of work, so per-statement latency would show.
            //
            // The advisory lock saves work when two workers reach the same day;
            // correctness comes from the keys, which make a second computation write
            // equal rows. JIT is switched off for the day (see Reporting.run).
            let lock = Self.lockKey(tenant: tenant.id, asOf: asOf)
            let marked: SQL = """
                SELECT (SELECT d.finished_at FROM tenant_days d
                        WHERE d.tenant_id = \(tenant.id) AND d.job = \(Self.job) AND d.as_of = \(asOf)) AS finished_at
                """
            let head = try await tx.pipeline([
                "SET LOCAL jit = off",
                "SELECT pg_try_advisory_xact_lock(hashtextextended(\(lock), 0)) AS locked",
                marked,
            ])
            var finished = try head[2].first.flatMap { try $0.decode(Date?.self, column: "finished_at") }
            if try head[1].first?.decode(Bool.self, column: "locked") != true {
                // Another session holds the day. Wait for it rather than skip: it may be
                // a worker that was killed, whose transaction ends (and rolls back) only
                // when the server notices, and a skipped day would stay undone. A day
                // marked while this one waited was just computed from the same facts.
                let waited = try await tx.pipeline(["SELECT pg_advisory_xact_lock(hashtextextended(\(lock), 0))", marked])
                let after = try waited[1].first.flatMap { try $0.decode(Date?.self, column: "finished_at") }
                if after != finished { return .doneMeanwhile }
                finished = after
            }
            if onlyIfNotDone, finished != nil {
                return .skippedDone
            }
            // Late fees first (they are part of the day's balances), then promise
            // decisions (and promises broken by bounced payments), payment plan
            // decisions (missed instalments, defaulted and kept plans), the next day's
            // dunning (the messages to go out then, within its contact hours) and the
            // snapshots, in one round trip (sql/0006, 0010, 0014).
            let work = try await tx.pipeline([
                LateFees.statement(tenant: tenant.id, asOf: asOf),
                PromiseDecisions.statement(
                    tenant: tenant.id, asOf: asOf, graceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone),
                PromiseDecisions.bouncedStatement(
                    tenant: tenant.id, asOf: asOf, graceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone),
                PlanDecisions.statement(tenant: tenant.id, asOf: asOf, graceDays: tenant.promiseGraceDays),
                Reminders.queueStatement(tenant: tenant.id, asOf: asOf, graceDays: tenant.promiseGraceDays),
                Snapshots.statement(tenant: tenant, asOf: asOf),
            ])
            let fees = try LateFees.count(work[0])
            let promises = try PromiseDecisions.count(work[1]) + PromiseDecisions.count(work[2])
            let plans = try PlanDecisions.count(work[3])
            let reminders = try Reminders.queuedCount(work[4])
            // Only the snapshot count is stored: it is the same on a rerun, while fees,
            // decisions and reminders already made are (rightly) not made again.
            let rows = try Snapshots.count(work[5])
            let elapsed = ContinuousClock.now - started
            let millis = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            // The time bound, not `now()` in the upsert (DESIGN.md "Scale-out").
            let now = Date()
            _ = try await tx.pipeline([
                """
                INSERT INTO tenant_days (tenant_id, job, as_of, run_id, finished_at, duration_ms, rows_written)
                VALUES (\(tenant.id), \(Self.job), \(asOf), \(runID), \(now), \(millis), \(rows))
                ON CONFLICT (tenant_id, job, as_of) DO UPDATE
                SET run_id = excluded.run_id, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
                    rows_written = excluded.rows_written
                """,
                """
                DELETE FROM tenant_day_failures f
                WHERE f.tenant_id = \(tenant.id) AND f.job = \(Self.job) AND f.as_of = \(asOf)
                """,
            ])
            return .done(
                snapshotRows: rows, feesAccrued: fees, promisesDecided: promises, plansDecided: plans, messagesQueued: reminders)
        }
    }

    /// The name of the advisory lock a day's transaction holds, taken as
    /// `pg_advisory_xact_lock(hashtextextended(name, 0))`.
    public static func lockKey(tenant: UUID, asOf: CalendarDate) -> String {
        "\(tenant.uuidString.lowercased())/\(job)/\(asOf)"
    }

    /// Records why a day failed, in a transaction of its own (the day's rolled back).
    public func recordFailure(tenant: Tenant, asOf: CalendarDate, runID: UUID?, error: any Error) async {
        _ = try? await database.withTenant(tenant.id) { tx in
            // The time bound, not `now()` in the upsert (DESIGN.md "Scale-out").
            try await tx.execute("""
                INSERT INTO tenant_day_failures (tenant_id, job, as_of, run_id, failed_at, error)
                VALUES (\(tenant.id), \(Self.job), \(asOf), \(runID), \(Date()),
                        \(String(String(describing: error).prefix(2000))))
                ON CONFLICT (tenant_id, job, as_of) DO UPDATE
                SET run_id = excluded.run_id, failed_at = excluded.failed_at, error = excluded.error
                """)
        }
    }
}
