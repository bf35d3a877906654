import CLibPQ

/// A libpq result (`PGresult`), freed exactly once, when the last reference goes.
///
/// One property or method per libpq function the layer needs, as psycopg's
/// `pq.PGresult`. A PGresult is immutable once libpq hands it over and holds no
/// reference to its connection, so reading it from any thread is safe.
final class PQResult: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }

    /// `PQresultStatus`.
    var status: ExecStatus { ExecStatus(PQresultStatus(pointer)) }
    /// `PQntuples`.
    var rowCount: Int { Int(PQntuples(pointer)) }
    /// `PQnfields`.
    var columnCount: Int { Int(PQnfields(pointer)) }
    /// `PQfname`.
    func columnName(_ column: Int) -> String { String(cString: PQfname(pointer, Int32(column))) }
    /// `PQftype`.
    func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(pointer, Int32(column))) }
    /// `PQgetvalue` in text format; nil when `PQgetisnull`.
    func value(row: Int, column: Int) -> String? {
        if PQgetisnull(pointer, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(pointer, Int32(row), Int32(column)))
    }
    /// `PQcmdTuples`: the row count of the command tag, "" when it has none.
    var commandTuples: String { String(cString: PQcmdTuples(pointer)) }
    /// `PQcmdStatus`: the command tag (`INSERT 0 1`, `COMMIT`, `ROLLBACK`, ...).
    var commandStatus: String { String(cString: PQcmdStatus(pointer)) }
    /// `PQresultErrorField`.
    func errorField(_ field: ErrorField) -> String? {
        PQresultErrorField(pointer, field.code).map { String(cString: $0) }
    }
    /// `PQresultErrorMessage`; nil when empty.
    var errorMessage: String? {
        guard let text = PQresultErrorMessage(pointer) else { return nil }
        let message = String(cString: text)
        return message.isEmpty ? nil : message
    }

    /// The fields of an error report (`PG_DIAG_*`).
    struct ErrorField: Sendable {
        let code: Int32
        static let sqlState = ErrorField(code: CLIBPQ_DIAG_SQLSTATE)
        static let messagePrimary = ErrorField(code: CLIBPQ_DIAG_MESSAGE_PRIMARY)
        static let messageDetail = ErrorField(code: CLIBPQ_DIAG_MESSAGE_DETAIL)
        static let messageHint = ErrorField(code: CLIBPQ_DIAG_MESSAGE_HINT)
        static let statementPosition = ErrorField(code: CLIBPQ_DIAG_STATEMENT_POSITION)
        static let tableName = ErrorField(code: CLIBPQ_DIAG_TABLE_NAME)
        static let columnName = ErrorField(code: CLIBPQ_DIAG_COLUMN_NAME)
        static let constraintName = ErrorField(code: CLIBPQ_DIAG_CONSTRAINT_NAME)
    }
}

/// `ExecStatusType`.
enum ExecStatus: Sendable, Equatable {
    case emptyQuery, commandOK, tuplesOK, copyOut, copyIn, copyBoth, badResponse, nonfatalError, fatalError
    case singleTuple, pipelineSync, pipelineAborted, other

    init(_ status: ExecStatusType) {
        switch status {
        case PGRES_EMPTY_QUERY: self = .emptyQuery
        case PGRES_COMMAND_OK: self = .commandOK
        case PGRES_TUPLES_OK: self = .tuplesOK
        case PGRES_COPY_OUT: self = .copyOut
        case PGRES_COPY_IN: self = .copyIn
        case PGRES_COPY_BOTH: self = .copyBoth
        case PGRES_BAD_RESPONSE: self = .badResponse
        case PGRES_NONFATAL_ERROR: self = .nonfatalError
        case PGRES_FATAL_ERROR: self = .fatalError
        case PGRES_SINGLE_TUPLE: self = .singleTuple
        case PGRES_PIPELINE_SYNC: self = .pipelineSync
        case PGRES_PIPELINE_ABORTED: self = .pipelineAborted
        default: self = .other
        }
    }
}
