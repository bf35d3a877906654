public import CollectionsService
import Foundation
import Postgres

/// A migrated database of its own and service handles on it, for one suite, each
/// connected as the program's login that would do that work.
public struct ServiceFixture: Sendable {
    public let database: TestDatabase
    /// As the admin CLI connects (collections_app and collections_registry): the
    /// registry and every tenant's work.
    public let service: CollectionsDatabase
    /// As the worker connects (collections_app and collections_worker).
    public let worker: CollectionsDatabase

    public static func make(_ suite: String) async throws -> ServiceFixture {
        let database = try await TestDatabase.migrated(suite)
        return ServiceFixture(
            database: database,
            service: CollectionsDatabase(configuration: database.configuration(as: .admin), acquireTimeout: poolWait),
            worker: CollectionsDatabase(configuration: database.configuration(as: .worker), acquireTimeout: poolWait))
    }

    /// How long a fixture's borrower waits for a pooled connection. The suites that
    /// queue more tasks than the pool has connections (twenty posts on one invoice,
    /// forty beside three imports) test what the ledger lets through, not latency;
    /// with sixty suites migrating and running at once on two cores, a wait there
    /// has taken more than the programs' 10 s (CI, 2026-12-02), which failed a
    /// ledger test on the machine's load alone.
    public static let poolWait: Duration = .seconds(120)

    /// A new active tenant with a unique slug.
    public func tenant(_ prefix: String = "t", currency: String = "USD", timeZone: String = "UTC") async throws -> Tenant {
        let slug = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        return try await TenantRegistry(database: service).create(
            slug: slug, name: "Lender \(slug)", currency: currency, timeZone: timeZone, actor: "test")
    }
}
