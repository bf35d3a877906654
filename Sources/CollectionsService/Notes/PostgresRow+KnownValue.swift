import Postgres

extension PostgresRow {
    /// A text column that holds one of `T`'s raw values: a value the code does
    /// not know is a decoding error naming the column, never a silent default.
    func decodeKnown<T: RawRepresentable>(_ type: T.Type = T.self, column: String, _ what: String) throws -> T
    where T.RawValue == String {
        let text: String = try self[column]
        guard let known = T(rawValue: text) else {
            throw PostgresError(kind: .decoding, message: "unknown \(what) \"\(text)\"", column: column)
        }
        return known
    }
}
