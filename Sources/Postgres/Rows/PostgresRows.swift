/// The rows of one statement's result, in text format, read lazily from libpq's buffer;
/// or the rows a statement nested in one of its columns as JSON (`nested(_:)`).
public struct PostgresRows: Sendable, RandomAccessCollection {
    enum Storage: Sendable {
        case result(PQResult)
        case json([[String: JSONValue]])
    }

    let storage: Storage
    public let columns: [String]
    let columnTypes: [PostgresType]
    let indexByName: [String: Int]
    /// Rows affected, for INSERT/UPDATE/DELETE/COPY/SELECT .
    public let affectedRows: Int
    /// The command tag: `INSERT 0 1`, `COMMIT`, `ROLLBACK`, ...
    public let commandTag: String

    init(_ result: PQResult) {
        storage = .result(result)
        let count = result.columnCount
        var names: [String] = []
        var types: [PostgresType] = []
        var index: [String: Int] = [:]
        for column in 0..<count {
            let name = result.columnName(column)
            names.append(name)
            types.append(PostgresType(rawValue: result.columnType(column)))
            if index[name] == nil { index[name] = column }
        }
        columns = names
        columnTypes = types
        indexByName = index
        affectedRows = Int(result.commandTuples) ?? 0
        commandTag = result.commandStatus
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .result(let result): result.rowCount
        case .json(let objects): objects.count
        }
    }
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
