/// One row of a result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    public let index: Int

    public var columns: [String] { rows.columns }

    /// The raw text of a column, nil for NULL.
    public func text(at column: Int) -> String? {
        switch rows.storage {
        case .result(let result): result.value(row: index, column: column)
        case .json(let objects): objects[index][rows.columns[column]].flatMap { $0.postgresText(as: .text) }
        }
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PostgresError(kind: .decoding, message: "column \(column) does not exist; the row has \(rows.columns.count) columns")
        }
        let name = rows.columns[column]
        let columnType: PostgresType
        let value: String?
        switch rows.storage {
        case .result(let result):
            columnType = rows.columnTypes[column]
            value = result.value(row: index, column: column)
        case .json(let objects):
            // JSON says no column type: the Swift type asked for names it.
            columnType = (T.self as? any PostgresEncodable.Type)?.postgresType ?? .text
            value = objects[index][name].flatMap { $0.postgresText(as: columnType) }
        }
        guard let text = value else {
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
