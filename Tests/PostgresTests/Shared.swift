import Postgres
import TestSupport

/// One database for this target's suites, created on first use.
enum Shared {
    static let database = Task { try await TestDatabase.create("postgres_layer") }

    static func connect() async throws -> PostgresConnection {
        try await database.value.connect()
    }

    static func configuration() async throws -> ConnectionConfiguration {
        try await database.value.configuration
    }
}

/// Runs `body` with a fresh connection and closes it afterwards.
@discardableResult
func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
    let connection = try await Shared.connect()
    do {
        let value = try await body(connection)
        await connection.close()
        return value
    } catch {
        await connection.close()
        throw error
    }
}

func uniqueName(_ prefix: String) -> String { "\(prefix)_\(UInt32.random(in: 0...UInt32.max))" }
