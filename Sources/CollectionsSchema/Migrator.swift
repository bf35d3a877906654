public import Foundation
public import Postgres

/// Applies the embedded migrations, each once, in order.
///
/// Runs on a direct connection (never through a pooler: the session advisory lock
/// that serialises concurrent runners must stay on one server session). Each
/// migration and its bookkeeping row commit together or not at all.
public struct Migrator: Sendable {
    public enum State: String, Sendable, Codable { case applied, pending, changed, unknown }

    public struct Status: Sendable, Codable, Equatable {
        public var version: Int
        public var name: String
        public var state: State
        public var checksum: String
        public var appliedAt: Date?
        public var durationMs: Int?
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Key of the session advisory lock held while migrating ("collections-migrate").
    static let lockKey = 0x636f_6c6c_6d69_6772
    /// How long a migration's statement waits for a lock before failing, so that a
    /// migration never queues behind traffic forever. Sent as whole milliseconds
    /// (digits only, never text), at least 1: 0 would mean no timeout at all.
    public var lockTimeout: Duration = .seconds(10)
    /// `SET LOCAL lock_timeout = <milliseconds>`.
    var setLockTimeout: String {
        let (seconds, attoseconds) = lockTimeout.components
        let limit = Int64(Int32.max)  // the setting's largest value
        let millis = seconds < 0 ? 1 : seconds >= limit / 1000 ? limit
            : seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000  // rounded up
        return "SET LOCAL lock_timeout = \(min(max(millis, 1), limit))"
    }
    public let migrations: [Migration]
    /// The repeatable function files (sql/functions/), applied after the migrations.
    public let functions: [FunctionFile]
    let configuration: ConnectionConfiguration

    public init(
        configuration: ConnectionConfiguration, migrations: [Migration] = Migration.all,
        functions: [FunctionFile] = FunctionFile.all
    ) {
        self.configuration = configuration
        self.migrations = migrations
        self.functions = functions
    }

    /// Applied, pending, changed and unknown migrations, without changing anything.
    public func status() async throws -> [Status] {
        try await withDirectConnection { try await status(on: $0) }
    }

    /// Applies what is pending and returns what was applied (or, with `dryRun`,
    /// what would be). Stops, changing nothing, when an applied migration was
    /// edited or is unknown to this binary.
    public func migrate(dryRun: Bool = false, log: @Sendable (String) -> Void = { _ in }) async throws -> [Status] {
        try await withDirectConnection { try await migrate(on: $0, dryRun: dryRun, log: log) }
    }

    /// A connection of its own, closed (awaited) whatever happens: closing it also
    /// releases the session advisory lock.
    func withDirectConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    func migrate(on connection: PostgresConnection, dryRun: Bool, log: @Sendable (String) -> Void) async throws -> [Status] {
        // Released when the connection closes, whatever happens below.
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")

        if !dryRun {
            do {
                try await connection.transaction { tx in
                    try await tx.simpleQuery(setLockTimeout)
                    for part in Self.setLocalApart(Migration.bootstrap) { try await tx.simpleQuery(part) }
                    // The bookkeeping tables, made (and closed to the app role, which
                    // the default privileges would let write them) only when missing:
                    // later grants (sql/0011) stand.
                    try await tx.simpleQuery("SET LOCAL ROLE collections_owner")
                    try await tx.simpleQuery("""
                        DO $bookkeeping$
                        BEGIN
                            IF to_regclass('public.schema_migrations') IS NULL THEN
                                CREATE TABLE schema_migrations (
                                    version int PRIMARY KEY,
                                    name text NOT NULL,
                                    checksum text NOT NULL,
                                    applied_at timestamptz NOT NULL DEFAULT now(),
                                    duration_ms int NOT NULL
                                );
                                REVOKE ALL ON schema_migrations FROM collections_app;
                            END IF;
                            IF to_regclass('public.schema_functions') IS NULL THEN
                                CREATE TABLE schema_functions (
                                    name text PRIMARY KEY,
                                    checksum text NOT NULL,
                                    applied_at timestamptz NOT NULL
                                );
                                REVOKE ALL ON schema_functions FROM collections_app;
                                GRANT SELECT ON schema_functions TO collections_app;
                            END IF;
                        END
                        $bookkeeping$;
                        """)
                }
            } catch let error as PostgresError {
                throw Failure(description: """
                    bootstrap (roles and schema ownership) failed: \(error); the first migrate of a database, and of a \
                    release that adds a role, must run as a superuser (or a CREATEROLE role that owns the database); \
                    after that the migrate login suffices (README, "Security model")
                    """)
            }
        }

        let current = try await status(on: connection)
        if let bad = current.first(where: { $0.state == .changed }) {
            throw Failure(description: "migration \(bad.name) was edited after it was applied (checksum differs); restore the file and add a new migration instead")
        }
        if let bad = current.first(where: { $0.state == .unknown }) {
            throw Failure(description: "the database has migration \(bad.name) (version \(bad.version)) that this binary does not carry; run a newer collections-admin")
        }
        let pending = current.filter { $0.state == .pending }
        if dryRun { return pending }

        let citus = try await CitusDistribution.isCitus(connection)
        var applied: [Status] = []
        for status in pending {
            let migration = migrations.first { $0.version == status.version }!
            log("applying \(migration.name)")
            let started = ContinuousClock.now
            do {
                try await connection.transaction { tx in
                    try await tx.simpleQuery("SET LOCAL ROLE collections_owner; \(setLockTimeout)")
                    if citus { for setting in CitusDistribution.migrationSettings { try await tx.simpleQuery(setting) } }
                    try await tx.simpleQuery(migration.sql)
                    if citus, migration.version >= CitusDistribution.from, try await CitusDistribution.groupsExist(tx) {
                        let distributed = try await CitusDistribution.distribute(tx)
                        if !distributed.isEmpty { log("distributed \(distributed.joined(separator: ", "))") }
                    }
                    let breaches: [String]
                    do {
                        breaches = try await TenancyAudit.violations(tx, after: migration.version)
                    } catch let error as PostgresError {
                        throw Failure(description: "the tenancy audit after migration \(migration.name) failed: \(error); nothing of it was applied")
                    }
                    guard breaches.isEmpty else {
                        throw Failure(description: "migration \(migration.name) breaks the tenancy recipe: \(breaches.joined(separator: "; ")); nothing of it was applied")
                    }
                    let elapsed = ContinuousClock.now - started
                    let millis = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                    try await tx.execute("""
                        INSERT INTO schema_migrations (version, name, checksum, duration_ms)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(millis))
                        """)
                }
            } catch let error as PostgresError {
                var location = ""
                if let position = error.position {
                    let statement = migration.statement(at: position)
                    location = " at line \(statement.line) in statement \"\(statement.text)\""
                }
                throw Failure(description: "migration \(migration.name) failed\(location): \(error); nothing of it was applied")
            }
            applied.append(Status(
                version: migration.version, name: migration.name, state: .applied, checksum: migration.checksum,
                appliedAt: Date(), durationMs: nil))
        }
        if citus, let last = migrations.last, last.version >= CitusDistribution.from {
            let distributed = try await CitusDistribution.distributeRest(connection)
            if !distributed.isEmpty { log("distributed \(distributed.joined(separator: ", "))") }
        }
        try await applyFunctions(on: connection, log: log)
        return applied
    }

    /// Applies the repeatable function files whose text changed (or that are new)
    /// since they were last applied, in one transaction with their bookkeeping and
    /// the catalog audit: all of them or none. Bodies are checked when called, not
    /// when created, so the files need no order among themselves.
    func applyFunctions(on connection: PostgresConnection, log: @Sendable (String) -> Void) async throws {
        try await connection.transaction { tx in
            try await tx.simpleQuery("""
                SET LOCAL ROLE collections_owner; \(setLockTimeout);
                SET LOCAL check_function_bodies = off
                """)
            let recorded = Dictionary(uniqueKeysWithValues: try await tx.query("SELECT name, checksum FROM schema_functions")
                .decode((String, String).self))
            let changed = functions.filter { recorded[$0.name] != $0.checksum }
            // On Citus the rewrites run on every migrate: also on one with no
            // changed file, as the first after Citus came to an existing database.
            let citus = try await CitusDistribution.isCitus(tx)
            guard !changed.isEmpty || citus else { return }
            let now = Date()
            for file in changed {
                log("applying functions/\(file.name)")
                do {
                    try await tx.simpleQuery(file.sql)
                } catch let error as PostgresError {
                    throw Failure(description: "function file \(file.name) failed: \(error); no function file was applied")
                }
                try await tx.execute("""
                    INSERT INTO schema_functions (name, checksum, applied_at) VALUES (\(file.name), \(file.checksum), \(now))
                    ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = excluded.applied_at
                    """)
            }
            if citus {
                let rewritten = try await CitusDistribution.asPLpgSQL(tx)
                if !rewritten.isEmpty { log("PL/pgSQL on Citus: \(rewritten.joined(separator: ", "))") }
                let planned = try await CitusDistribution.planPerCall(tx)
                if !planned.isEmpty { log("planned per call on Citus: \(planned.joined(separator: ", "))") }
            }
            let breaches = try await TenancyAudit.violations(tx)
            guard breaches.isEmpty else {
                throw Failure(description: "function files \(changed.map(\.name).joined(separator: ", ")) break the tenancy recipe: \(breaches.joined(separator: "; ")); none was applied")
            }
        }
    }

    /// The script cut so that each top-level `SET LOCAL` line is a query of its
    /// own. Citus (with `citus.propagate_set_commands = 'local'`) forwards the
    /// whole query string that holds a `SET LOCAL` to every worker, and the
    /// workers refuse the grants and default privileges that follow it in the
    /// same string ("operation is not allowed on this node", deploy/citus/README.md).
    /// Only lines that start with `SET LOCAL` count: the scripts are ours and keep
    /// such lines at the start of a line, never inside a body.
    package static func setLocalApart(_ script: String) -> [String] {
        var parts: [String] = []
        var current: [Substring] = []
        func flush() {
            let part = current.joined(separator: "\n")
            if !part.allSatisfy({ $0.isWhitespace }) { parts.append(part) }
            current = []
        }
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SET LOCAL ") {
                flush()
                current = [line]
                flush()
            } else {
                current.append(line)
            }
        }
        flush()
        return parts
    }

    func status(on connection: PostgresConnection) async throws -> [Status] {
        let exists = try await connection.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL").scalar(Bool.self) ?? false
        var rows: [(Int, String, String, Date, Int)] = []
        if exists {
            // The migrate login is a NOINHERIT member of collections_owner: it
            // reads the bookkeeping as the owner, like everything else it does.
            rows = try await connection.transaction(readOnly: true) { tx in
                if try await tx.query("""
                    SELECT pg_has_role(current_user, 'collections_owner', 'MEMBER')
                    """).scalar(Bool.self) == true {
                    try await tx.simpleQuery("SET LOCAL ROLE collections_owner")
                }
                return try await tx.query(
                    "SELECT version, name, checksum, applied_at, duration_ms FROM schema_migrations ORDER BY version"
                ).decode((Int, String, String, Date, Int).self)
            }
        }
        var result: [Status] = []
        for migration in migrations {
            if let row = rows.first(where: { $0.0 == migration.version }) {
                result.append(Status(
                    version: migration.version, name: migration.name,
                    state: migration.matches(recorded: row.2) ? .applied : .changed,
                    checksum: row.2, appliedAt: row.3, durationMs: row.4))
            } else {
                result.append(Status(version: migration.version, name: migration.name, state: .pending, checksum: migration.checksum))
            }
        }
        for row in rows where !migrations.contains(where: { $0.version == row.0 }) {
            result.append(Status(version: row.0, name: row.1, state: .unknown, checksum: row.2, appliedAt: row.3, durationMs: row.4))
        }
        return result.sorted { $0.version < $1.version }
    }
}
