import Foundation
import CollectionsService
import Postgres

/// A database of its own for one test suite, on the server `DATABASE_URL` names
/// (the private cluster the test command starts). Suites run in parallel and never
/// see each other's rows.
public struct TestDatabase: Sendable {
    /// The server as the test command gave it (a role that may create databases).
    public static func serverConfiguration() throws -> ConnectionConfiguration {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(
                kind: .invalidConnectionString,
                message: "DATABASE_URL is not set: run the tests with deploy/local/test.sh")
        }
        return try ConnectionConfiguration(url)
    }

    public let name: String
    public let configuration: ConnectionConfiguration

    /// Creates an empty database (or a copy of `template`) named after the suite.
    public static func create(_ suite: String, template: String? = nil) async throws -> TestDatabase {
        let server = try serverConfiguration()
        let safe = suite.lowercased().filter { $0.isLetter || $0.isNumber }
        let name = "test_\(safe.prefix(30))_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(server)
        defer { Task { await admin.close() } }
        if let template {
            try await admin.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(name)) TEMPLATE \(SQL.quoteIdentifier(template))")
        } else {
            try await admin.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(name))")
        }
        return TestDatabase(name: name, configuration: server.with(database: name))
    }

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration)
    }

    /// Drops the database, ending any connection still open to it.
    public func drop() async throws {
        let admin = try await PostgresConnection.connect(try Self.serverConfiguration())
        try await admin.simpleQuery("DROP DATABASE IF EXISTS \(SQL.quoteIdentifier(name)) WITH (FORCE)")
        await admin.close()
    }
}

extension TestDatabase {
    /// A database with every migration applied, copied from a template that is
    /// migrated once per test process (CREATE DATABASE ... TEMPLATE is a file copy,
    /// much faster than migrating again).
    public static func migrated(_ suite: String) async throws -> TestDatabase {
        let template = try await MigratedTemplate.shared.value
        return try await create(suite, template: template)
    }
}

enum MigratedTemplate {
    static let shared = Task<String, any Error> {
        let template = try await TestDatabase.create("template")
        _ = try await Migrator(configuration: template.configuration).migrate()
        return template.name
    }
}
