import Foundation

extension PostgresRows {
    /// Rows a statement nested in a column as a JSON array of objects, as
    /// `(SELECT json_agg(x) FROM (...) x)` makes them; NULL (no rows) is none.
    ///
    /// So one statement can carry the results of several queries (a dashboard
    /// page's data in one round trip), each read by the same `PostgresRow`
    /// decoder as when it runs on its own: a column is found by its name, and its
    /// type is the one the Swift type asked for names (`PostgresEncodable.postgresType`),
    /// the JSON value given back in PostgreSQL's text form.
    init(json text: String, column: String) throws {
        let notRows = { (why: String) in
            PostgresError(kind: .decoding, message: "column \"\(column)\" is not a JSON array of rows: \(why)", column: column)
        }
        let objects: [[String: JSONValue]]
        do {
            switch try JSONValue.parse(text) {
            case .null: objects = []
            case .array(let items):
                objects = try items.map { item in
                    guard case .object(let fields) = item else { throw notRows("an item is not an object") }
                    return fields
                }
            default: throw notRows("not an array")
            }
        } catch let error as JSONValue.ParseError {
            throw notRows(error.description)
        }
        var names = Set<String>()
        for object in objects { names.formUnion(object.keys) }
        columns = names.sorted()
        columnTypes = columns.map { _ in .unspecified }
        indexByName = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        storage = .json(objects)
        affectedRows = objects.count
        commandTag = ""
    }
}

extension PostgresRow {
    /// The rows nested in the json/jsonb column `name` (see `PostgresRows.init(json:column:)`),
    /// read by name only: their columns are in name order, not the statement's.
    public func nested(_ name: String) throws -> PostgresRows {
        guard let text = try decode(JSONText?.self, column: name)?.text else {
            return try PostgresRows(json: "[]", column: name)
        }
        return try PostgresRows(json: text, column: name)
    }
}
