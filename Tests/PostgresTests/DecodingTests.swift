import Foundation
import Postgres
import Testing

struct InvoiceRow: PostgresRowDecodable, Equatable {
    var number: String
    var amountMinor: Int
    var dueOn: CalendarDate
    var disputed: Bool?

    init(number: String, amountMinor: Int, dueOn: CalendarDate, disputed: Bool?) {
        self.number = number
        self.amountMinor = amountMinor
        self.dueOn = dueOn
        self.disputed = disputed
    }

    init(row: PostgresRow) throws {
        number = try row["number"]
        amountMinor = try row["amount_minor"]
        dueOn = try row["due_on"]
        disputed = try row["disputed"]
    }
}

struct Note: Codable, Equatable, Sendable {
    var channel: String
    var score: Int?
}

@Suite struct DecodingTests {
    @Test func scalarTypesRoundTrip() async throws {
        try await withConnection { connection async throws in
            let id = UUID()
            let date = CalendarDate(year: 2013, month: 2, day: 28)!
            let instant = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let bytes = Data([0, 1, 2, 0xfe, 0xff])
            let row = try #require(try await connection.query("""
                SELECT \(Int16(-7))::int2, \(Int32(123_456))::int4, \(Int64.max)::int8, \(true), \(
                "héllo, 'world'"), \(2.5), \(date), \(instant), \(id), \(bytes)
                """).first)
            let values = try row.decode((Int16, Int32, Int64, Bool, String, Double, CalendarDate, Date, UUID, Data).self)
            #expect(values.0 == -7)
            #expect(values.1 == 123_456)
            #expect(values.2 == Int64.max)
            #expect(values.3 == true)
            #expect(values.4 == "héllo, 'world'")
            #expect(values.5 == 2.5)
            #expect(values.6 == date)
            #expect(abs(values.7.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000002)
            #expect(values.8 == id)
            #expect(values.9 == bytes)
        }
    }

    @Test func datesNeverShiftWithTheSessionTimeZone() async throws {
        try await withConnection { connection async throws in
            try await connection.simpleQuery("SET TIME ZONE 'Pacific/Kiritimati'")
            let date = CalendarDate(year: 2024, month: 2, day: 29)!
            #expect(try await connection.query("SELECT \(date)::date").scalar(CalendarDate.self) == date)
            let instant = Date(timeIntervalSince1970: 1_000_000_000)
            #expect(try await connection.query("SELECT \(instant)::timestamptz").scalar(Date.self) == instant)
            #expect(try await connection.query("SELECT '2024-02-29 10:00:00+05:30'::timestamptz = \(Date(timeIntervalSince1970: 1_709_181_000))").scalar(Bool.self) == true)
        }
    }

    @Test func nullDecodesAsOptionalAndOnlyAsOptional() async throws {
        try await withConnection { connection async throws in
            let row = try #require(try await connection.query("SELECT NULL::int8 AS missing").first)
            #expect(try row.decode(Int?.self, at: 0) == nil)
            let error = #expect(throws: PostgresError.self) { try row.decode(Int.self, at: 0) }
            #expect(error?.message.contains("\"missing\" is NULL") == true)
            let none: String? = nil
            let isNull = try await connection.query("SELECT \(none)::text IS NULL").scalar(Bool.self)
            #expect(isNull == true)
        }
    }

    @Test func decodingIntoTheWrongTypeNamesTheColumnAndBothTypes() async throws {
        try await withConnection { connection async throws in
            let row = try #require(try await connection.query("SELECT 42::int8 AS amount_minor, 'abc'::text AS label").first)
            let error = #expect(throws: PostgresError.self) { try row.decode(Bool.self, column: "amount_minor") }
            #expect(error?.message == "cannot decode column \"amount_minor\" of type bigint into Bool")
            let other = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "label") }
            #expect(other?.message == "cannot decode column \"label\" of type text into Int")
            #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "nope") }
            #expect(throws: PostgresError.self) { try row.decode((Int, String, Int).self) }
        }
    }

    @Test func arraysRoundTripWithQuotesCommasAndNulls() async throws {
        try await withConnection { connection async throws in
            let texts = ["plain", "with,comma", "with \"quote\"", "back\\slash", "", "NULL"]
            let textsBack = try await connection.query("SELECT \(texts)").scalar([String].self)
            #expect(textsBack == texts)
            let numbers: [Int?] = [1, nil, -3]
            let numbersBack = try await connection.query("SELECT \(numbers)").scalar([Int?].self)
            #expect(numbersBack == numbers)
            let ids = [UUID(), UUID()]
            let idsBack = try await connection.query("SELECT \(ids)").scalar([UUID].self)
            #expect(idsBack == ids)
            let empty = try await connection.query("SELECT '{}'::int8[]").scalar([Int].self)
            #expect(empty == [])
            let dates = [CalendarDate(year: 2013, month: 1, day: 31)!]
            let datesBack = try await connection.query("SELECT \(dates)").scalar([CalendarDate].self)
            #expect(datesBack == dates)
        }
    }

    @Test func jsonbRoundTripsCodableValues() async throws {
        try await withConnection { connection async throws in
            let note = Note(channel: "sms", score: 4)
            let back = try await connection.query("SELECT \(JSONB(note))").scalar(JSONB<Note>.self)
            #expect(back?.value == note)
            #expect(try await connection.query("SELECT \(JSONB(note)) ->> 'channel'").scalar(String.self) == "sms")
        }
    }

    @Test func rowsDecodeIntoStructsAndTuples() async throws {
        try await withConnection { connection async throws in
            let rows = try await connection.query("""
                SELECT * FROM (VALUES ('INV-1', 12345::int8, '2013-05-01'::date, true),
                                      ('INV-2', 5::int8, '2013-06-01'::date, NULL::bool))
                    AS t(number, amount_minor, due_on, disputed) ORDER BY number
                """)
            let invoices = try rows.decode(InvoiceRow.self)
            #expect(invoices == [
                InvoiceRow(number: "INV-1", amountMinor: 12345, dueOn: CalendarDate("2013-05-01")!, disputed: true),
                InvoiceRow(number: "INV-2", amountMinor: 5, dueOn: CalendarDate("2013-06-01")!, disputed: nil),
            ])
            let pairs = try await connection.query("SELECT 'a', 1::int8 UNION ALL SELECT 'b', 2").decode((String, Int).self)
            #expect(pairs.map(\.0) == ["a", "b"])
            #expect(pairs.map(\.1) == [1, 2])
        }
    }

    @Test func integerSumsAreReadExactly() async throws {
        try await withConnection { connection async throws in
            // sum(bigint) is numeric; an exact integer must come back exactly.
            let total = try await connection.query("SELECT sum(x) FROM (VALUES (\(Int64.max / 2)), (\(Int64.max / 2))) v(x)").scalar(Int.self)
            #expect(total == (Int.max / 2) * 2)
            // A numeric with a fraction is refused, never truncated.
            #expect(Int(postgresText: "12.50", type: .numeric) == nil)
        }
    }
}

@Suite struct CalendarDateTests {
    @Test func parsesOnlyRealDates() {
        #expect(CalendarDate("2013-02-28") != nil)
        #expect(CalendarDate("2012-02-29") != nil)
        #expect(CalendarDate("2013-02-29") == nil)
        #expect(CalendarDate("2013-13-01") == nil)
        #expect(CalendarDate("13/45/2013") == nil)
        #expect(CalendarDate("2013-1-01") == nil)
    }

    @Test func dayArithmeticMatchesTheCalendar() {
        let start = CalendarDate("2012-12-31")!
        #expect(start.adding(days: 1).description == "2013-01-01")
        #expect(start.adding(days: 60).description == "2013-03-01")
        #expect(CalendarDate("2000-03-01")!.days(since: CalendarDate("2000-02-28")!) == 2)
        #expect(CalendarDate("1970-01-01")!.daysSinceEpoch == 0)
        for days in stride(from: -800_000, to: 2_900_000, by: 997) {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }
}
