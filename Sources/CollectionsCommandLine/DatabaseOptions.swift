public import ArgumentParser
public import CollectionsService
import Foundation
public import Postgres

/// Where the database is: `--database-url`, else `DATABASE_URL`; behind an old
/// pgbouncer, `DATABASE_PREPARE_THRESHOLD=off` (`ConnectionConfiguration.applyingEnvironment`).
public struct DatabaseOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("database-url"), help: "libpq connection string or URI (default: $DATABASE_URL).")
    public var databaseURL: String?

    public func configuration() throws -> ConnectionConfiguration {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --database-url or set DATABASE_URL")
        }
        return try ConnectionConfiguration(url).applyingEnvironment()
    }

    public func database(connections: Int = 4) throws -> CollectionsDatabase {
        CollectionsDatabase(configuration: try configuration(), maxConnections: connections)
    }
}


/// Dates on the command line are calendar dates, `YYYY-MM-DD`.
extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
