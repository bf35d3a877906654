import Foundation
import Postgres
import Testing

/// Rows nested in a column as JSON (`SQL.nestedRows`, `PostgresRow.nested`) read
/// exactly as the same rows read on their own: every type the decoders know,
/// NULLs, arrays, JSON, in the query's order; no rows is an empty result.
@Suite struct NestedRowsTests {
    static let query: SQL = """
        SELECT * FROM (VALUES
            (1, 'a "quoted", \\ text'::text, DATE '2024-02-29', TIMESTAMPTZ '2024-02-29 23:59:58.123456+05:30', true,
             12.50::numeric, 2.25::float8, '7f8a2c1e-0000-4000-8000-000000000001'::uuid, 9007199254740993::int8,
             ARRAY['x', NULL, 'y "z"']::text[], ARRAY[1, 2, 3]::int8[], '{"k": [1, "v"]}'::jsonb, 3::int4),
            (2, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, ARRAY[]::int8[], NULL, NULL)
        ) v(n, label, due_on, at, flag, amount, ratio, id, big, names, amounts, doc, small)
        ORDER BY n DESC
        """

    struct Row: PostgresRowDecodable, Equatable {
        var n: Int
        var label: String?
        var dueOn: CalendarDate?
        var at: Date?
        var flag: Bool
        var amount: Double?
        var ratio: Double?
        var id: UUID?
        var big: Int64?
        var names: [String?]?
        var amounts: [Int64]
        var doc: JSONText?
        var small: Int32?

        init(row: PostgresRow) throws {
            n = try row["n"]
            label = try row["label"]
            dueOn = try row["due_on"]
            at = try row["at"]
            flag = try row["flag"]
            amount = try row["amount"]
            ratio = try row["ratio"]
            id = try row["id"]
            big = try row["big"]
            names = try row["names"]
            amounts = try row["amounts"]
            doc = try row["doc"]
            small = try row["small"]
        }
    }

    @Test func nestedRowsReadAsTheSameRowsOnTheirOwn() async throws {
        try await withConnection { connection in
            let direct = try await connection.query(Self.query).decode(Row.self)
            let row = try await connection.query("SELECT \(SQL.nestedRows(Self.query)) AS rows, \(SQL.nestedRows("SELECT 1 WHERE false")) AS none")[0]
            let nested = try row.nested("rows").decode(Row.self)
            #expect(nested.map(\.n) == [2, 1])
            #expect(nested.count == direct.count)
            for (a, b) in zip(nested, direct) {
                #expect(a.n == b.n && a.label == b.label && a.dueOn == b.dueOn && a.flag == b.flag)
                #expect(a.amount == b.amount && a.ratio == b.ratio && a.id == b.id && a.big == b.big)
                #expect(a.names == b.names && a.amounts == b.amounts && a.small == b.small)
                #expect(a.at.map { ($0.timeIntervalSince1970 * 1_000_000).rounded() }
                        == b.at.map { ($0.timeIntervalSince1970 * 1_000_000).rounded() })
            }
            // jsonb keeps its meaning (not its spacing).
            #expect(nested.last?.doc?.text == #"{"k":[1,"v"]}"#)
            #expect(try row.nested("none").isEmpty)
        }
    }
}
