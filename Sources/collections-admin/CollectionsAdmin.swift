import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

@main
struct CollectionsAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collections-admin",
        abstract: "Administer the collections back end: schema, tenants, API keys, imports and reports.",
        discussion: """
            Every command reads the database from --database-url or DATABASE_URL (a libpq
            connection string or URI). Tenant data is always read and written as the
            collections_app role with the tenant set, so row-level security applies whatever
            login the URL names (that login must be a member of collections_app and
            collections_owner, or a superuser).

            Exit codes: 0 success; 1 the operation failed or was refused (one line on stderr
            says why; nothing was changed); 64 the command line was invalid.
            """,
        subcommands: [
            MigrateCommand.self, TenantCommand.self, ApiKeyCommand.self, ClientCommand.self, ImportCommand.self,
            ReportCommand.self, PlanCommand.self, DisputeCommand.self, DemoCommand.self,
            WebhookCommand.self, AgencyCommand.self, PlacementCommand.self, CollectorCommand.self, TeamCommand.self,
        ]
    )

    /// Like the default entry point, but a usage error is one line on stderr too.
    static func main() async {
        await runCommandLine(Self.self, name: "collections-admin")
    }
}
