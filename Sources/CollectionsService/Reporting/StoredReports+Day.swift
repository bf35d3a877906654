import Foundation
public import Postgres

extension StoredReports {
    /// The day a stored report is for: `asOf`, else the latest day the worker
    /// stored; with none, says so and names the run that makes one. The CLI's
    /// `report ageing|kpis` and the HTTP API's alike.
    public static func day(_ asOf: CalendarDate?, tenant: Tenant, database: CollectionsDatabase) async throws -> CalendarDate {
        if let asOf { return asOf }
        guard let latest = try await latestDay(database: database, tenant: tenant) else { throw noStoredDay(tenant) }
        return latest
    }

    /// What a stored report says when the worker has stored no day at all.
    static func noStoredDay(_ tenant: Tenant) -> ServiceError {
        ServiceError(.notFound, "no stored snapshot for \(tenant.slug) yet; make one with: collections-worker run --tenant \(tenant.slug)")
    }
}
