import CollectionsSchema
import CollectionsService
public import Foundation
public import Postgres

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
        _ = try await Login.provisioned.value
        let safe = suite.lowercased().filter { $0.isLetter || $0.isNumber }
        let name = "test_\(safe.prefix(30))_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(server)
        defer { Task { await admin.close() } }
        if let template {
            try await admin.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(name)) TEMPLATE \(SQL.quoteIdentifier(template))")
        } else {
            try await admin.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(name))")
        }
        let database = TestDatabase(name: name, configuration: server.with(database: name))
        // A copy does not inherit the template's database settings (search_path):
        // bootstrapped again, as a DBA would bootstrap a new database.
        if template != nil { try await database.bootstrap() }
        return database
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

    /// This database as one of the programs' logins, as production connects:
    /// through the pooler when the test command started one
    /// (`COLLECTIONS_TEST_POOLER_HOST` and `_PORT`: pgbouncer in transaction mode),
    /// except the migrate login, whose session advisory lock needs a connection of
    /// its own, as in production; and with the environment's
    /// `DATABASE_PREPARE_THRESHOLD`, as the programs read it.
    public func configuration(as login: Login) -> ConnectionConfiguration {
        var configuration = self.configuration.with(user: login.name)
        configuration["password"] = Login.password
        let environment = ProcessInfo.processInfo.environment
        if login != .migrate, let host = environment["COLLECTIONS_TEST_POOLER_HOST"], !host.isEmpty {
            configuration["host"] = host
            configuration["hostaddr"] = nil
            configuration["port"] = environment["COLLECTIONS_TEST_POOLER_PORT"]
        }
        do {
            return try configuration.applyingEnvironment(environment)
        } catch {
            fatalError("the test command's environment: \(error)")
        }
    }

    /// The same as a libpq keyword/value string, for a command line.
    public func url(as login: Login) -> String { configuration(as: login).connectionString }

    /// Runs sql/bootstrap.sql as the test server's superuser, as a DBA does once
    /// per database (the roles, the schema handed to collections_owner), so that
    /// the migrate login can do the rest.
    public func bootstrap() async throws {
        let connection = try await connect()
        do {
            try await connection.transaction { tx in try await tx.simpleQuery(Migration.bootstrap) }
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// The programs' NOINHERIT logins of deploy/sql/logins.sql, which the tests
/// connect as wherever a program would.
public enum Login: String, Sendable, CaseIterable {
    case migrate, admin, worker, server

    public var name: String { "collections_\(rawValue)_login" }

    /// The group roles each login must be a member of, and nothing else.
    public var roles: [String] {
        switch self {
        case .migrate: ["collections_owner"]
        case .admin: ["collections_app", "collections_registry"]
        case .worker: ["collections_app", "collections_worker"]
        case .server: ["collections_app", "collections_agency"]
        }
    }

    /// A password of this test process's own: the logins work on a server that
    /// asks for one as on one that trusts local connections.
    public static let password = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()

    /// The file an operator and deploy/local/cluster.sh run.
    public static let sqlFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/sql/logins.sql")

    /// The group roles (bootstrap in a scratch database) and the logins, with this
    /// process's password, once per test process.
    public static let provisioned = Task<Void, any Error> {
        let server = try TestDatabase.serverConfiguration()
        let admin = try await PostgresConnection.connect(server)
        let scratch = "test_roles_\(UInt32.random(in: 0...UInt32.max))"
        do {
            try await admin.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(scratch))")
            let roles = try await PostgresConnection.connect(server.with(database: scratch))
            do {
                try await roles.transaction { tx in try await tx.simpleQuery(Migration.bootstrap) }
                try await roles.transaction { tx in try await tx.simpleQuery(try String(contentsOf: sqlFile, encoding: .utf8)) }
                for login in Login.allCases {
                    try await roles.simpleQuery("ALTER ROLE \(SQL.quoteIdentifier(login.name)) PASSWORD '\(password)'")
                }
                await roles.close()
            } catch {
                await roles.close()
                throw error
            }
            try await admin.simpleQuery("DROP DATABASE \(SQL.quoteIdentifier(scratch)) WITH (FORCE)")
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
    }
}

enum MigratedTemplate {
    /// Bootstrapped by the superuser, migrated by the migrate login, as in
    /// production.
    static let shared = Task<String, any Error> {
        let template = try await TestDatabase.create("template")
        try await template.bootstrap()
        _ = try await Migrator(configuration: template.configuration(as: .migrate)).migrate()
        return template.name
    }
}
