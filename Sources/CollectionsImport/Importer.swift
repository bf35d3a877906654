public import CollectionsService
import Foundation
import Postgres

/// Imports a CSV file of clients, invoices, payments or contact notes into one
/// tenant, in one transaction, all or nothing (or the good rows and a rejects
/// file).
///
/// The file is read once, a chunk at a time, so memory stays flat whatever its
/// size: each record is checked for what it says on its own (UTF-8, shape of
/// dates and amounts, allowed words) and streamed with its line number into a
/// temporary staging table by COPY. Everything that needs the database is then
/// checked set-based in SQL over the staged rows (clients and currencies exist,
/// decimals allowed by the currency, duplicates in the file, conflicts with
/// stored rows), collecting every problem of every row. The good rows are then
/// written by one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` (payments:
/// posted through the ledger's posting path a set of whole clients at a time,
/// idempotently by reference), so importing the same file again changes nothing.
public struct Importer: Sendable {
    public let database: CollectionsDatabase
    public let tenant: Tenant

    public init(database: CollectionsDatabase, tenant: Tenant) {
        self.database = database
        self.tenant = tenant
    }

    /// Imports `path`; `name` is how messages call the file (default: the path).
    public func run(
        _ kind: ImportKind, path: String, name: String? = nil, options: ImportOptions,
        progress: @escaping @Sendable (ImportProgress) -> Void = { _ in }
    ) async throws -> ImportSummary {
        let actor = try Check.actor(options.actor)
        let started = ContinuousClock.now
        let fileName = name ?? path
        // A rejects file that cannot be written is found out now, not after the work.
        var rejectsFile: RejectsFile? = nil
        if let rejects = options.rejectsPath {
            guard URL(fileURLWithPath: rejects).standardizedFileURL != URL(fileURLWithPath: path).standardizedFileURL else {
                throw ImportError.file("the rejects file cannot be the file being imported (\(rejects))")
            }
            rejectsFile = try RejectsFile.create(for: rejects)
        }
        var rejectsDone = false
        defer { if !rejectsDone { rejectsFile?.discard() } }

        var summary: ImportSummary
        do {
            // Not retried: a long import that meets a deadlock reports it, and running
            // it again is safe (an import changes nothing the second time).
            summary = try await database.withTenant(tenant.id, retry: .never) { tx in
                var context = try await ImportContext(
                    kind: kind, path: path, fileName: fileName, tenant: tenant, actor: actor, tx: tx, progress: progress)
                var phases: [String: Double] = [:]
                var phaseStart = ContinuousClock.now
                func phase(_ name: String) {
                    phases[name] = Self.seconds(since: phaseStart)
                    phaseStart = ContinuousClock.now
                }
                context.paymentsPerSet = options.paymentsPerSet
                try await context.stage()
                phase("reading")
                try await context.check()
                phase("checking")
                let (inserted, unchanged) = try await context.write(dryRun: options.dryRun, refuseOnRejects: options.rejectsPath == nil)
                phase("writing")
                if let rejectsFile {
                    try await context.writeRejects(to: rejectsFile)
                    phase("rejects")
                }
                let summary = ImportSummary(
                    kind: kind, file: fileName, rowsRead: context.rows, inserted: inserted, unchanged: unchanged,
                    rejected: context.rejectedRows, dryRun: options.dryRun, rejectsFile: options.rejectsPath,
                    seconds: Self.seconds(since: started), phaseSeconds: phases)
                if options.dryRun { throw DryRun(summary: summary) }
                try await Audit.record(
                    tx, tenant: tenant.id, actor: actor, action: "import", entity: kind.rawValue,
                    entityID: String(fileName.suffix(200)), before: nil, after: summary)
                return summary
            }
        } catch let dryRun as DryRun {
            summary = dryRun.summary
        } catch let error as PostgresError {
            if let mapped = ServiceError.constraintViolation(error) { throw mapped }
            throw error
        }
        if !summary.dryRun, summary.inserted >= 1_000 { await analyze(kind) }
        if let rejectsFile {
            rejectsDone = true
            try rejectsFile.commit(failure: options.dryRun ? "the file was checked" : "the good rows were imported")
        }
        summary.seconds = Self.seconds(since: started)
        return summary
    }

    /// Refreshes the planner's statistics of the tables a bulk import wrote
    /// (measured: the first worker run after importing the IBM sample took 45 s
    /// without, 1.3 s with), where the login may (`CollectionsDatabase.analyze`).
    private func analyze(_ kind: ImportKind) async {
        switch kind {
        case .clients: await database.analyze(["clients"])
        case .invoices: await database.analyze(["invoices"])
        case .payments: await database.analyze(["payments", "payment_applications", "idempotency_keys"])
        case .notes: await database.analyze(["contact_notes"])
        }
    }

    /// Seconds from `start` to now.
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Thrown out of a dry run's transaction, so that it rolls back.
    private struct DryRun: Error { var summary: ImportSummary }
}
