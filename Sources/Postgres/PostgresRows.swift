import CLibPQ

/// Owns a finished `PGresult`.
///
/// A PGresult is immutable once libpq hands it over and holds no reference to its
/// connection, so reading it from any thread is safe; it is freed exactly once, in
/// `deinit`.
final class ResultHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}

/// The rows of one statement's result, in text format, read lazily from libpq's buffer.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let handle: ResultHandle
    public let columns: [String]
    let columnTypes: [PostgresType]
    let indexByName: [String: Int]
    /// Rows affected, for INSERT/UPDATE/DELETE/COPY/SELECT (`PQcmdTuples`).
    public let affectedRows: Int
    /// The command tag (`PQcmdStatus`): `INSERT 0 1`, `COMMIT`, `ROLLBACK`, ...
    public let commandTag: String

    init(_ handle: ResultHandle) {
        self.handle = handle
        let result = handle.pointer
        let count = Int(PQnfields(result))
        var names: [String] = []
        var types: [PostgresType] = []
        var index: [String: Int] = [:]
        for column in 0..<count {
            let name = String(cString: PQfname(result, Int32(column)))
            names.append(name)
            types.append(PostgresType(rawValue: PQftype(result, Int32(column))))
            if index[name] == nil { index[name] = column }
        }
        columns = names
        columnTypes = types
        indexByName = index
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        commandTag = String(cString: PQcmdStatus(result))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(handle.pointer)) }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// Decodes every row into `T`.
    public func decode<T: PostgresRowDecodable>(_ type: T.Type) throws -> [T] {
        try map { try T(row: $0) }
    }

    /// Decodes every row into a tuple of column values, in column order.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> [(repeat each T)] {
        try map { try $0.decode((repeat each T).self) }
    }

    /// The single row's single column, or nil when there is no row.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T? {
        guard let first else { return nil }
        return try first.decode(T.self, at: 0)
    }
}

/// A type built from one result row.
public protocol PostgresRowDecodable {
    init(row: PostgresRow) throws
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    public let index: Int

    public var columns: [String] { rows.columns }

    /// The raw text of a column, nil for NULL.
    public func text(at column: Int) -> String? {
        let result = rows.handle.pointer
        if PQgetisnull(result, Int32(index), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(index), Int32(column)))
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PostgresError(kind: .decoding, message: "column \(column) does not exist; the row has \(rows.columns.count) columns")
        }
        let name = rows.columns[column]
        let columnType = rows.columnTypes[column]
        guard let text = text(at: column) else {
            if let null = T.postgresNull { return null }
            throw PostgresError(kind: .decoding, message: "column \"\(name)\" is NULL; cannot decode it into \(T.self)", column: name)
        }
        guard let value = T(postgresText: text, type: columnType) else {
            throw PostgresError(
                kind: .decoding,
                message: "cannot decode column \"\(name)\" of type \(columnType) into \(T.self)", column: name)
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let column = rows.indexByName[name] else {
            throw PostgresError(kind: .decoding, message: "column \"\(name)\" is not in the result (columns: \(rows.columns.joined(separator: ", ")))")
        }
        return try decode(T.self, at: column)
    }

    public subscript<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws { try decode(T.self, column: name) }
    }

    /// Decodes the row into a tuple, one element per column in order; the counts must match.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var column = 0
        func next<U: PostgresDecodable>(_: U.Type) throws -> U {
            defer { column += 1 }
            return try decode(U.self, at: column)
        }
        let tuple = (repeat try next((each T).self))
        guard column == rows.columns.count else {
            throw PostgresError(kind: .decoding, message: "the row has \(rows.columns.count) columns but \(column) were decoded")
        }
        return tuple
    }
}
