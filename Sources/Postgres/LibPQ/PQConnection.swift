import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq connection (`PGconn`): one method per libpq function the layer needs and
/// nothing more, as psycopg's `pq.PGconn`. Every `PQ*` call on a connection is here.
///
/// Not thread-safe: libpq allows one thread at a time on a `PGconn`, and many of these
/// calls block. `PostgresConnection` keeps it on its own thread (`ThreadBound`).
final class PQConnection {
    private let pointer: OpaquePointer
    /// Set by `finish()`; the connection must not be used after.
    private(set) var isFinished = false

    private init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { finish() }

    /// `PQconnectdb`: blocks until connected or failed (see `isOK`); nil only when
    /// libpq is out of memory.
    static func connect(_ conninfo: String) -> PQConnection? {
        PQconnectdb(conninfo).map(PQConnection.init)
    }

    /// `PQfinish`: closes the connection and frees it. Idempotent.
    func finish() {
        guard !isFinished else { return }
        isFinished = true
        PQfinish(pointer)
    }

    // MARK: Status

    /// `PQstatus` is `CONNECTION_OK`.
    var isOK: Bool { PQstatus(pointer) == CONNECTION_OK }
    /// `PQstatus` is `CONNECTION_BAD`.
    var isBad: Bool { PQstatus(pointer) == CONNECTION_BAD }
    /// `PQerrorMessage`.
    var errorMessage: String { String(cString: PQerrorMessage(pointer)) }
    /// `PQbackendPID`.
    var backendPID: Int32 { PQbackendPID(pointer) }
    /// `PQsocket`.
    var socket: Int32 { PQsocket(pointer) }
    /// `PQparameterStatus`.
    func parameterStatus(_ name: String) -> String? { PQparameterStatus(pointer, name).map { String(cString: $0) } }

    /// `PQtransactionStatus`.
    var transactionStatus: TransactionStatus {
        switch PQtransactionStatus(pointer) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_ACTIVE: .active
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .inError
        default: .unknown
        }
    }

    enum TransactionStatus: Sendable, Equatable {
        case idle, active, inTransaction, inError, unknown
    }

    /// `PQsetNoticeReceiver` with a receiver that drops every notice: libpq would
    /// print them on stderr, in the middle of a CLI's output.
    func ignoreNotices() {
        PQsetNoticeReceiver(pointer, { _, _ in }, nil)
    }

    /// `PQgetCancel`.
    func makeCancel() -> PQCancel? { PQgetCancel(pointer).map(PQCancel.init) }

    // MARK: Commands (blocking)

    /// `PQexec`: the simple protocol; many statements in one string.
    func exec(_ command: String) -> PQResult? { PQexec(pointer, command).map(PQResult.init) }

    /// `PQexecParams` with text-format parameters and results. `types` nil lets the
    /// server infer every type.
    func execParams(_ command: String, types: [UInt32]?, values: [String?]) -> PQResult? {
        Self.withCStrings(values) { values in
            if let types {
                let oids = types.map { Oid($0) }
                return PQexecParams(pointer, command, Int32(values.count), oids, values, nil, nil, 0)
            }
            return PQexecParams(pointer, command, Int32(values.count), nil, values, nil, nil, 0)
        }.map(PQResult.init)
    }

    /// `PQprepare`.
    func prepare(name: String, command: String, types: [UInt32]) -> PQResult? {
        let oids = types.map { Oid($0) }
        return PQprepare(pointer, name, command, Int32(oids.count), oids).map(PQResult.init)
    }

    /// `PQexecPrepared` with text-format parameters and results.
    func execPrepared(name: String, values: [String?]) -> PQResult? {
        Self.withCStrings(values) { values in
            PQexecPrepared(pointer, name, Int32(values.count), values, nil, nil, 0)
        }.map(PQResult.init)
    }

    // MARK: Asynchronous commands, pipeline mode

    /// `PQsendQueryParams` with text-format parameters and results.
    func sendQueryParams(_ command: String, types: [UInt32], values: [String?]) -> Bool {
        let oids = types.map { Oid($0) }
        return Self.withCStrings(values) { values in
            PQsendQueryParams(pointer, command, Int32(values.count), oids, values, nil, nil, 0)
        } == 1
    }

    /// `PQgetResult`: the next result of the command in progress, nil after the last.
    func getResult() -> PQResult? { PQgetResult(pointer).map(PQResult.init) }
    /// `PQsetnonblocking`.
    func setNonblocking(_ on: Bool) -> Bool { PQsetnonblocking(pointer, on ? 1 : 0) == 0 }
    /// `PQenterPipelineMode`.
    func enterPipelineMode() -> Bool { PQenterPipelineMode(pointer) == 1 }
    /// `PQexitPipelineMode`.
    func exitPipelineMode() -> Bool { PQexitPipelineMode(pointer) == 1 }
    /// `PQpipelineSync`.
    func pipelineSync() -> Bool { PQpipelineSync(pointer) == 1 }
    /// `PQconsumeInput`.
    func consumeInput() -> Bool { PQconsumeInput(pointer) == 1 }

    enum FlushResult { case done, pending, failed }
    /// `PQflush`.
    func flush() -> FlushResult {
        switch PQflush(pointer) {
        case 0: .done
        case 1: .pending
        default: .failed
        }
    }

    /// `poll(2)` on the connection's socket; the events that are ready (none after
    /// `timeout` milliseconds).
    func pollSocket(readable: Bool, writable: Bool, timeout: Int32) -> (readable: Bool, writable: Bool) {
        var events: Int16 = 0
        if readable { events |= Int16(POLLIN) }
        if writable { events |= Int16(POLLOUT) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        guard poll(&descriptor, 1, timeout) > 0 else { return (false, false) }
        return (descriptor.revents & Int16(POLLIN) != 0, descriptor.revents & Int16(POLLOUT) != 0)
    }

    // MARK: COPY

    /// `PQputCopyData` (blocking mode): false when it failed.
    func putCopyData(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(pointer, $0, Int32(buffer.count))
            } == 1
        }
    }

    /// `PQputCopyEnd`: ends the COPY, or aborts it with `errorMessage`.
    func putCopyEnd(errorMessage: String?) -> Bool {
        if let errorMessage { return PQputCopyEnd(pointer, errorMessage) == 1 }
        return PQputCopyEnd(pointer, nil) == 1
    }

    // MARK: Parameters

    /// Passes values to libpq as C strings (nil is SQL NULL) for the duration of `body`.
    private static func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0)! } }
        defer { pointers.forEach { free($0) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }
}
