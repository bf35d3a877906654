import Foundation
import Postgres

/// One tenant's day of the daily job, done in one transaction.
///
/// Late fees, promise decisions, snapshots and the `tenant_days` row that marks
/// the day done commit together or not at all: a crash at any moment leaves either
/// the whole day or none of it, and a rerun replaces the day with equal rows.
public struct TenantDay: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Snapshot rows stored, fees accrued, promises decided.
        case done(snapshotRows: Int, feesAccrued: Int, promisesDecided: Int)
        /// Another worker holds this day right now.
        case skippedBusy
        /// Already done, and the caller asked only for days not done.
        case skippedDone
    }

    public static let job = "daily"

    let database: CollectionsDatabase

    public init(database: CollectionsDatabase) { self.database = database }

    public func run(tenant: Tenant, asOf: CalendarDate, runID: UUID?, onlyIfNotDone: Bool) async throws -> Outcome {
        let started = ContinuousClock.now
        return try await database.withTenant(tenant.id, retry: .transient(attempts: 5)) { tx in
            // Saves work when two workers reach the same day; correctness comes from
            // the keys, which make a second computation write equal rows.
            let key = "\(tenant.id.uuidString.lowercased())/\(Self.job)/\(asOf)"
            guard try await tx.query("SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), 0))").scalar(Bool.self) == true else {
                return .skippedBusy
            }
            if onlyIfNotDone, try await tx.query("""
                SELECT 1 FROM tenant_days WHERE tenant_id = current_tenant_id() AND job = \(Self.job) AND as_of = \(asOf)
                """).first != nil {
                return .skippedDone
            }
            try await Reporting.prepare(tx)
            let fees = try await LateFees.accrue(tx, asOf: asOf)
            let promises = try await PromiseDecisions.decide(tx, asOf: asOf, graceDays: tenant.promiseGraceDays, timeZone: tenant.timeZone)
            // Only the snapshot count is stored: it is the same on a rerun, while fees
            // and decisions already made are (rightly) not made again.
            let rows = try await Snapshots.store(tx, tenant: tenant, asOf: asOf)
            let elapsed = ContinuousClock.now - started
            let millis = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            _ = try await tx.pipeline([
                """
                INSERT INTO tenant_days (tenant_id, job, as_of, run_id, duration_ms, rows_written)
                VALUES (current_tenant_id(), \(Self.job), \(asOf), \(runID), \(millis), \(rows))
                ON CONFLICT (tenant_id, job, as_of) DO UPDATE
                SET run_id = excluded.run_id, finished_at = now(), duration_ms = excluded.duration_ms,
                    rows_written = excluded.rows_written
                """,
                "DELETE FROM tenant_day_failures WHERE tenant_id = current_tenant_id() AND job = \(Self.job) AND as_of = \(asOf)",
            ])
            return .done(snapshotRows: rows, feesAccrued: fees, promisesDecided: promises)
        }
    }

    /// Records why a day failed, in a transaction of its own (the day's rolled back).
    public func recordFailure(tenant: Tenant, asOf: CalendarDate, runID: UUID?, error: any Error) async {
        _ = try? await database.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO tenant_day_failures (tenant_id, job, as_of, run_id, error)
                VALUES (current_tenant_id(), \(Self.job), \(asOf), \(runID), \(String(String(describing: error).prefix(2000))))
                ON CONFLICT (tenant_id, job, as_of) DO UPDATE
                SET run_id = excluded.run_id, failed_at = now(), error = excluded.error
                """)
        }
    }
}
