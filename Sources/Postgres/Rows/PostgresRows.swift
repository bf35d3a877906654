import CLibPQ

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
