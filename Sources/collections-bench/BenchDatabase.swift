import Foundation
import Postgres

/// The scratch database the benchmark creates, fills and drops, and one control
/// connection to it for setup, truncation and checks (idle while a run is timed).
struct BenchDatabase: Sendable {
    let name: String
    let admin: ConnectionConfiguration
    /// The same server, connected to the scratch database: what both sides use.
    let configuration: ConnectionConfiguration
    let control: PostgresConnection
    let canCheckpoint: Bool

    static let invoiceColumns = "tenant_id uuid, client_ref text, number text, currency char(3), amount_minor bigint, issued_on date, due_on date"

    static func create(named name: String, admin: ConnectionConfiguration, log: Progress) async throws -> BenchDatabase {
        let adminConnection = try await PostgresConnection.connect(admin)
        do {
            // A database left by an interrupted run goes first.
            try await adminConnection.simpleQuery("DROP DATABASE IF EXISTS \(SQL.quoteIdentifier(name))")
            try await adminConnection.simpleQuery("CREATE DATABASE \(SQL.quoteIdentifier(name))")
        } catch let error as PostgresError where error.kind == .insufficientPrivilege {
            await adminConnection.close()
            throw BenchError("the role in the URL may not (re)create the database \(name) (it needs CREATEDB): \(error.message)")
        } catch {
            await adminConnection.close()
            throw error
        }
        await adminConnection.close()

        let configuration = admin.with(database: name)
        let control = try await PostgresConnection.connect(configuration)
        do {
            try await control.simpleQuery("""
                CREATE TABLE bench_invoices (id bigserial PRIMARY KEY, \(invoiceColumns));
                CREATE TABLE bench_copy (id bigint PRIMARY KEY, \(invoiceColumns));
                """)
        } catch {
            await control.close()
            throw error
        }
        // CHECKPOINT between runs makes every run start from the same clean state;
        // it needs superuser or pg_checkpoint, so without it runs just go on.
        let canCheckpoint = (try? await control.simpleQuery("CHECKPOINT")) != nil
        if !canCheckpoint { log("CHECKPOINT not allowed for this role: runs start without one") }
        return BenchDatabase(name: name, admin: admin, configuration: configuration, control: control, canCheckpoint: canCheckpoint)
    }

    /// Empties a table and flushes dirty pages, so each run starts alike.
    func reset(table: String) async throws {
        try await control.simpleQuery("TRUNCATE \(SQL.quoteIdentifier(table)) RESTART IDENTITY")
        if canCheckpoint { try await control.simpleQuery("CHECKPOINT") }
    }

    func count(table: String) async throws -> Int {
        try await control.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) ?? 0
    }

    func machine() async throws -> MachineInfo {
        func show(_ setting: String) async throws -> String {
            try await control.query("SELECT current_setting(\(setting))").scalar(String.self) ?? "?"
        }
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memTotalBytes: Machine.memTotalBytes(),
            serverVersion: try await show("server_version"),
            fsync: try await show("fsync"),
            synchronousCommit: try await show("synchronous_commit"),
            sharedBuffers: try await show("shared_buffers"),
            date: Machine.now())
    }

    /// Best effort: the report matters more than the cleanup, which the next run redoes.
    func drop() async {
        await control.close()
        guard let adminConnection = try? await PostgresConnection.connect(admin) else { return }
        // DROP DATABASE waits up to 5 s for our closed sessions' backends to exit.
        _ = try? await adminConnection.simpleQuery("DROP DATABASE IF EXISTS \(SQL.quoteIdentifier(name))")
        await adminConnection.close()
    }
}
