public import Foundation
public import Logging
import Metrics
public import Postgres

/// Runs tenants' days: for every active tenant (or one), for a date, a range of
/// dates, or each tenant's local today. Tenants are shared among `jobs`
/// concurrent tasks; one tenant's days run in date order. A tenant that fails is
/// logged and counted, and the others carry on.
public struct DailyWorker: Sendable {
    public enum Dates: Sendable, Equatable {
        /// Each tenant's own today, in its time zone.
        case tenantToday
        case range(CalendarDate, CalendarDate)
    }

    public struct Summary: Sendable, Equatable {
        public var runID: UUID
        public var done = 0
        public var skipped = 0
        public var failed = 0
        public var failures: [String] = []
    }

    let database: CollectionsDatabase
    let logger: Logger

    public init(database: CollectionsDatabase, logger: Logger = Logger(label: "collections.worker")) {
        self.database = database
        self.logger = logger
    }

    /// Active tenants, or the one named (which must exist and be active).
    public func tenants(slug: String?) async throws -> [Tenant] {
        let directory = TenantDirectory(database: database)
        if let slug { return [try await directory.find(slug)] }
        return try await directory.active()
    }

    /// Today in the tenant's time zone.
    public func today(of tenant: Tenant) async throws -> CalendarDate {
        try await database.asWorker { tx in try await Reporting.today(for: tenant, in: tx) }
    }

    public func run(
        dates: Dates, tenantSlug: String? = nil, jobs: Int = 2, onlyIfNotDone: Bool = false, mode: String = "run"
    ) async throws -> Summary {
        let tenants = try await tenants(slug: tenantSlug)
        let runID = try await startRun(dates: dates, tenantSlug: tenantSlug, mode: mode)
        var summary = Summary(runID: runID)
        try await withThrowingTaskGroup(of: Summary.self) { group in
            var pending = tenants[...]
            func next() -> Tenant? { pending.popFirst() }
            for _ in 0..<max(1, jobs) {
                guard let tenant = next() else { break }
                group.addTask { try await self.runTenant(tenant, dates: dates, runID: runID, onlyIfNotDone: onlyIfNotDone) }
            }
            while let partial = try await group.next() {
                summary.done += partial.done
                summary.skipped += partial.skipped
                summary.failed += partial.failed
                summary.failures += partial.failures
                if let tenant = next() {
                    group.addTask { try await self.runTenant(tenant, dates: dates, runID: runID, onlyIfNotDone: onlyIfNotDone) }
                }
            }
        }
        try await finishRun(summary)
        return summary
    }

    /// One tenant's days in order; stops at the first failed day (later days
    /// would build on it).
    func runTenant(_ tenant: Tenant, dates: Dates, runID: UUID, onlyIfNotDone: Bool) async throws -> Summary {
        var summary = Summary(runID: runID)
        let days: [CalendarDate]
        switch dates {
        case .tenantToday: days = [try await today(of: tenant)]
        case .range(let from, let to): days = (0...max(0, to.days(since: from))).map { from.adding(days: $0) }
        }
        let day = TenantDay(database: database)
        let dimensions = [("tenant", tenant.slug)]
        for asOf in days {
            let started = ContinuousClock.now
            do {
                switch try await day.run(tenant: tenant, asOf: asOf, runID: runID, onlyIfNotDone: onlyIfNotDone) {
                case .done(let rows, let fees, let promises, let plans, let reminders):
                    summary.done += 1
                    Counter(label: "collections_worker_tenant_days_total", dimensions: [("result", "done")]).increment()
                    Counter(label: "collections_worker_rows_written_total", dimensions: [("kind", "snapshot")]).increment(by: rows)
                    Counter(label: "collections_worker_rows_written_total", dimensions: [("kind", "late_fee")]).increment(by: fees)
                    Counter(label: "collections_worker_rows_written_total", dimensions: [("kind", "promise")]).increment(by: promises)
                    Counter(label: "collections_worker_rows_written_total", dimensions: [("kind", "plan")]).increment(by: plans)
                    Counter(label: "collections_worker_rows_written_total", dimensions: [("kind", "dunning_message")]).increment(by: reminders)
                    Timer(label: "collections_worker_tenant_day_duration_seconds", dimensions: dimensions)
                        .record(duration: ContinuousClock.now - started)
                    logger.info("tenant day done", metadata: [
                        "tenant": "\(tenant.slug)", "as_of": "\(asOf)", "snapshot_rows": "\(rows)",
                        "late_fees": "\(fees)", "promises_decided": "\(promises)", "plans_decided": "\(plans)",
                        "messages_queued": "\(reminders)",
                    ])
                case .doneMeanwhile, .skippedDone:
                    summary.skipped += 1
                    Counter(label: "collections_worker_tenant_days_total", dimensions: [("result", "skipped")]).increment()
                }
            } catch {
                summary.failed += 1
                summary.failures.append("\(tenant.slug) \(asOf): \(error)")
                Counter(label: "collections_worker_tenant_days_total", dimensions: [("result", "failed")]).increment()
                logger.error("tenant day failed", metadata: ["tenant": "\(tenant.slug)", "as_of": "\(asOf)", "error": "\(error)"])
                await day.recordFailure(tenant: tenant, asOf: asOf, runID: runID, error: error)
                break
            }
        }
        return summary
    }

    func startRun(dates: Dates, tenantSlug: String?, mode: String) async throws -> UUID {
        var from: CalendarDate? = nil
        var to: CalendarDate? = nil
        if case .range(let a, let b) = dates {
            from = a
            to = b
        }
        let host = ProcessInfo.processInfo.hostName
        let pid = Int32(ProcessInfo.processInfo.processIdentifier)
        return try await database.asWorker { tx in
            try await tx.query("""
                INSERT INTO worker_runs (mode, as_of_from, as_of_to, tenant_slug, host, pid)
                VALUES (\(mode), \(from), \(to), \(tenantSlug), \(host), \(pid)) RETURNING id
                """).scalar(UUID.self)!
        }
    }

    func finishRun(_ summary: Summary) async throws {
        try await database.asWorker { tx in
            try await tx.execute("""
                UPDATE worker_runs SET finished_at = now(), tenant_days_done = \(Int32(summary.done)),
                    tenant_days_skipped = \(Int32(summary.skipped)), tenant_days_failed = \(Int32(summary.failed)),
                    status = \(summary.failed == 0 ? "succeeded" : "failed")
                WHERE id = \(summary.runID)
                """)
        }
    }
}
