import CollectionsCommandLine
import CollectionsService
import Foundation

extension DemoCommand {
    /// Issues an API key of `tenant` (its earlier keys went with the reset) and
    /// prints it with the commands that serve and call the HTTP API: the demo's
    /// door to README's "HTTP API" examples.
    static func printAPIAccess(_ tenant: Tenant, database: CollectionsDatabase) async throws {
        let issued = try await ApiKeys(database: database).create(tenantSlug: tenant.slug, label: "demo", actor: adminActor())
        printOut("""

            HTTP API: \(tenant.slug)'s API key (printed once, new on every demo run):
              \(issued.secret)
            Start the server (as its own login), then call it:
              .build/release/collections-server serve --database-url "$(deploy/local/cluster.sh url server)"
              curl -H "Authorization: Bearer \(issued.secret)" http://127.0.0.1:8080/v1/reports/kpis

            """)
    }
}
