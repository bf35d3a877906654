extension SQL {
    /// `(SELECT json_agg(nested_row.*) FROM (<query>) nested_row)`: the rows of
    /// `query` as one JSON value, in the query's order, for a statement that
    /// returns several queries' rows at once; read them back with
    /// `PostgresRow.nested(_:)`. (`.*`: the whole row even when the query has a
    /// column of the alias's name.)
    public static func nestedRows(_ query: SQL) -> SQL {
        "(SELECT json_agg(nested_row.*) FROM (\(query)) nested_row)"
    }
}
