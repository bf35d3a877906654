import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Postgres

/// A report from the snapshots the worker stored: the tenant, and the day as
/// `--as-of` or else the latest day stored (`reportDay`).
struct StoredDayOptions: ParsableArguments {
    @OptionGroup var tenant: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the latest stored day.") var asOf: CalendarDate?

    /// Runs `body` with the database open, the tenant and the report's day.
    func withDay(_ body: (CollectionsDatabase, Tenant, CalendarDate) async throws -> Void) async throws {
        try await tenant.withTenant { db, tenant in
            try await body(db, tenant, try await reportDay(asOf, tenant: tenant, database: db))
        }
    }
}
