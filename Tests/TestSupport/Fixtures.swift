import CollectionsService
import Foundation
import Postgres

/// A migrated database of its own and a service handle on it, for one suite.
public struct ServiceFixture: Sendable {
    public let database: TestDatabase
    public let service: CollectionsDatabase

    public static func make(_ suite: String) async throws -> ServiceFixture {
        let database = try await TestDatabase.migrated(suite)
        return ServiceFixture(database: database, service: CollectionsDatabase(configuration: database.configuration))
    }

    /// A new active tenant with a unique slug.
    public func tenant(_ prefix: String = "t", currency: String = "USD", timeZone: String = "UTC") async throws -> Tenant {
        let slug = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        return try await TenantRegistry(database: service).create(
            slug: slug, name: "Lender \(slug)", currency: currency, timeZone: timeZone, actor: "test")
    }
}
