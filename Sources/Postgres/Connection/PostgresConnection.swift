import CLibPQ
import Foundation

/// One connection to PostgreSQL.
///
/// Every libpq call on the connection runs on the connection's own thread (see
/// `ConnectionThread`), so awaiting a query never blocks Swift's cooperative pool.
/// One task at a time should use a connection; the pool hands them out that way.
public final class PostgresConnection: @unchecked Sendable {
    // Safe: `connection`, `statements` and `executions` are only touched by jobs on
    // `thread`, which runs them one after another. `cancelHandle` is guarded by `lock`.
    private let thread: ConnectionThread
    private let connection: OpaquePointer
    private var statements: [String: String] = [:]
    private var executions: [String: Int] = [:]
    private let lock = NSLock()
    private var cancelHandle: OpaquePointer?
    private var closed = false
    public let configuration: ConnectionConfiguration
    /// The server's backend process id, for `pg_terminate_backend` and logs.
    public let backendPID: Int32

    private init(thread: ConnectionThread, connection: OpaquePointer, configuration: ConnectionConfiguration) {
        self.thread = thread
        self.connection = connection
        self.configuration = configuration
        self.backendPID = PQbackendPID(connection)
        self.cancelHandle = PQgetCancel(connection)
    }

    public static func connect(_ connectionString: String) async throws -> PostgresConnection {
        try await connect(ConnectionConfiguration(connectionString))
    }

    /// Opens a connection; `connect_timeout` in the configuration bounds the wait.
    public static func connect(_ configuration: ConnectionConfiguration) async throws -> PostgresConnection {
        let thread = ConnectionThread(name: "postgres-connection")
        let conninfo = configuration.connectionString
        do {
            return try await thread.run {
                guard let connection = PQconnectdb(conninfo) else {
                    throw PostgresError(kind: .connectionFailed, message: "out of memory creating a connection")
                }
                guard PQstatus(connection) == CONNECTION_OK else {
                    // libpq names the host or socket it tried, and may quote a value it could
                    // not use (a port that was a password missing its `@`), the server a
                    // database name that was a URI: no part of a password is ever printed.
                    let message = configuration.redacting(
                        String(cString: PQerrorMessage(connection)).trimmingTrailingWhitespace())
                    PQfinish(connection)
                    throw PostgresError(
                        kind: .connectionFailed,
                        message: message.isEmpty ? "could not connect to \(configuration.serverDescription)" : message)
                }
                // Notices (e.g. "relation already exists, skipping") are not errors;
                // libpq would print them on stderr, in the middle of a CLI's output.
                PQsetNoticeReceiver(connection, { _, _ in }, nil)
                return PostgresConnection(thread: thread, connection: connection, configuration: configuration)
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    deinit {
        if !closed { finish() }
    }

    /// Closes the connection. Further calls throw `connectionLost`.
    public func close() async {
        let already = lock.withLock {
            defer { closed = true }
            return closed
        }
        if !already { finish() }
    }

    private func finish() {
        let connection = self.connection
        let cancel = lock.withLock {
            defer { cancelHandle = nil }
            return cancelHandle
        }
        // `connection` is captured as a bit pattern: the job outlives `self` in deinit.
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection)))
        let cancelAddress = cancel.map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0))) }
        thread.submit {
            if let cancelAddress, let pointer = OpaquePointer(bitPattern: cancelAddress) { PQfreeCancel(pointer) }
            if let pointer = OpaquePointer(bitPattern: address) { PQfinish(pointer) }
        }
        thread.stop()
    }

    private var isClosed: Bool { lock.withLock { closed } }

    /// The connection's thread as a task executor. Code run with
    /// `withTaskExecutorPreference(connection.executor)` runs on that thread, where
    /// the connection's calls need no hop; `ConnectionPool` lends connections so.
    public var executor: any TaskExecutor { thread }

    /// Runs a job on the connection's thread; a cancelled task asks the server to
    /// cancel the running statement, so cancellation never waits for a long query.
    func run<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        if isClosed { throw PostgresError(kind: .connectionLost, message: "the connection is closed") }
        let connection = self.connection
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection)))
        return try await withTaskCancellationHandler {
            try await thread.run { try body(OpaquePointer(bitPattern: address)!) }
        } onCancel: {
            self.cancel()
        }
    }

    /// Asks the server to cancel the statement now running, if any.
    public func cancel() {
        lock.withLock {
            guard let cancelHandle else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancelHandle, &buffer, 256)
        }
    }

    // MARK: Queries

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try sql.checkEncoded()
        return try await run { connection in try self.execute(sql, on: connection) }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await query(sql).affectedRows
    }

    /// Runs SQL text with no parameters through the simple protocol, where one
    /// string may hold many statements (migrations, scripts). Returns the last result.
    @discardableResult
    public func simpleQuery(_ text: String) async throws -> PostgresRows {
        try await run { connection in
            let result = PQexec(connection, text)
            return try Self.check(result, connection: connection, statement: text)
        }
    }

    /// Executes on the connection's thread: prepared once the same text has run
    /// `prepareThreshold` times, unnamed otherwise.
    func execute(_ sql: SQL, on connection: OpaquePointer) throws -> PostgresRows {
        try sql.checkEncoded()
        let name = try statementName(for: sql, on: connection)
        let result: OpaquePointer? = try Self.withParameters(sql.values) { values in
            if let name {
                return PQexecPrepared(connection, name, Int32(sql.values.count), values, nil, nil, 0)
            }
            let types = sql.types.map { Oid($0.rawValue) }
            return PQexecParams(connection, sql.text, Int32(sql.values.count), types, values, nil, nil, 0)
        }
        do {
            return try Self.check(result, connection: connection, statement: sql.text)
        } catch let error as PostgresError where error.sqlState == "26000" && name != nil {
            // Someone ran DEALLOCATE (or a pooler swapped the server connection): forget
            // our statements and run this one unprepared.
            statements.removeAll()
            executions.removeAll()
            let types = sql.types.map { Oid($0.rawValue) }
            let retry = try Self.withParameters(sql.values) { values in
                PQexecParams(connection, sql.text, Int32(sql.values.count), types, values, nil, nil, 0)
            }
            return try Self.check(retry, connection: connection, statement: sql.text)
        }
    }

    private func statementName(for sql: SQL, on connection: OpaquePointer) throws -> String? {
        guard let threshold = configuration.prepareThreshold else { return nil }
        if let name = statements[sql.text] { return name }
        let count = (executions[sql.text] ?? 0) + 1
        executions[sql.text] = count
        guard count >= threshold, PQtransactionStatus(connection) != PQTRANS_INERROR else { return nil }
        if statements.count >= 200 {
            // Bounded: drop them all rather than track recency.
            _ = PQexec(connection, "DEALLOCATE ALL").map { PQclear($0) }
            statements.removeAll()
        }
        let name = "s\(statements.count + 1)_\(UInt32(truncatingIfNeeded: sql.text.hashValue))"
        let types = sql.types.map { Oid($0.rawValue) }
        let result = PQprepare(connection, name, sql.text, Int32(sql.types.count), types)
        _ = try Self.check(result, connection: connection, statement: sql.text)
        statements[sql.text] = name
        return name
    }

    /// Passes the parameters to libpq as C strings. A NUL inside a value would cut it
    /// short without a word (and PostgreSQL text cannot hold one), so it is refused.
    static func withParameters<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) throws -> R {
        for (index, value) in values.enumerated() where value?.utf8.contains(0) == true {
            throw PostgresError(kind: .protocolMisuse, message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0)! } }
        defer { pointers.forEach { free($0) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }

    /// Turns a result into rows, or into a thrown `PostgresError` (freeing it either way).
    static func check(_ result: OpaquePointer?, connection: OpaquePointer, statement: String?) throws -> PostgresRows {
        guard let result else {
            throw PostgresError.from(result: nil, connection: connection, statement: statement)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return PostgresRows(ResultHandle(result))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            // Leave the connection usable: end the COPY the statement started.
            _ = PQputCopyEnd(connection, "COPY must be run with copyIn")
            while let next = PQgetResult(connection) { PQclear(next) }
            throw PostgresError(kind: .protocolMisuse, message: "COPY statements must be run with copyIn(_:)", statement: statement)
        default:
            let error = PostgresError.from(result: result, connection: connection, statement: statement)
            PQclear(result)
            throw error
        }
    }

    // MARK: State

    /// The connection is usable and idle outside a transaction. Checked without a
    /// round trip: a server that closed the connection (restart, terminated backend)
    /// has left something readable on the socket.
    public func isHealthyAndIdle() async -> Bool {
        if isClosed { return false }
        return (try? await run { connection -> Bool in
            guard PQstatus(connection) == CONNECTION_OK else { return false }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) > 0 {
                // An idle connection that has something to read was told goodbye
                // (a FATAL "terminating connection") or already reached end of file.
                // We never LISTEN, so no notification is expected.
                return false
            }
            return PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
        }) ?? false
    }

    /// Whether a transaction is open (or failed and waiting for ROLLBACK).
    public func isInTransaction() async -> Bool {
        (try? await run { connection in
            let status = PQtransactionStatus(connection)
            return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
        }) ?? false
    }

    /// Whether the open transaction failed and waits for ROLLBACK.
    func isInFailedTransaction() async -> Bool {
        (try? await run { connection in PQtransactionStatus(connection) == PQTRANS_INERROR }) ?? false
    }

    /// A server parameter reported at connect (`server_version`, `TimeZone`, ...).
    public func parameterStatus(_ name: String) async -> String? {
        try? await run { connection in PQparameterStatus(connection, name).map { String(cString: $0) } }
    }
}
