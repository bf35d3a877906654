import Foundation
import Postgres
import Testing

@Suite struct QueryTests {
    @Test func interpolatedValuesBecomeBoundParameters() {
        let ref = "C-1"
        let limit = 10
        let sql: SQL = "SELECT * FROM clients WHERE ref = \(ref) AND n < \(limit)"
        #expect(sql.text == "SELECT * FROM clients WHERE ref = $1 AND n < $2")
        #expect(sql.values == ["C-1", "10"])
    }

    @Test func injectionTextRoundTripsUnchanged() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("victims")
            try await connection.execute("CREATE TABLE \(identifier: table) (name text)")
            let evil = "'; DROP TABLE \(table); --"
            try await connection.execute("INSERT INTO \(identifier: table) VALUES (\(evil))")
            let back = try await connection.query("SELECT name FROM \(identifier: table) WHERE name = \(evil)").scalar(String.self)
            #expect(back == evil)
            let still = try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self)
            #expect(still == 1)
        }
    }

    @Test func aValueWithANulCharacterIsRefusedNotTruncated() async throws {
        try await withConnection { connection async throws in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT \("before\u{0}after")::text")
            }
            #expect(error?.message.contains("parameter $1 contains a NUL") == true)
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
        }
    }

    @Test func identifiersAreQuoted() async throws {
        try await withConnection { connection async throws in
            let weird = "we\"ird \(UInt16.random(in: 0...9999))"
            try await connection.execute("CREATE TEMP TABLE \(identifier: weird) (\(identifier: "a col") int)")
            try await connection.execute("INSERT INTO \(identifier: weird) VALUES (1)")
            #expect(try await connection.query("SELECT \(identifier: "a col") FROM \(identifier: weird)").scalar(Int.self) == 1)
        }
    }

    @Test func fragmentsAreRenumbered() async throws {
        let low = 2
        let high = 5
        var sql: SQL = "SELECT g FROM generate_series(1, 10) g WHERE g >= \(low)"
        sql.append(" AND g <= \(high) AND '$1' = '$1'")
        #expect(sql.text.hasSuffix("g <= $2 AND '$1' = '$1'"))
        let nested: SQL = "SELECT count(*) FROM (\(sql)) s WHERE g <> \(3)"
        try await withConnection { connection async throws in
            #expect(try await connection.query(nested).scalar(Int.self) == 3)
        }
    }

    @Test func wrongParameterCountIsAClearErrorAndTheConnectionSurvives() async throws {
        try await withConnection { connection async throws in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT $1::int + $2::int")
            }
            #expect(error?.message.contains("parameters") == true)
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
        }
    }

    @Test func statementsArePreparedAfterRepeatedUse() async throws {
        try await withConnection { connection async throws in
            for value in 0..<8 {
                #expect(try await connection.query("SELECT \(value)::int8 + 1").scalar(Int.self) == value + 1)
            }
            let prepared = try await connection.query("SELECT count(*) FROM pg_prepared_statements").scalar(Int.self)
            #expect(prepared == 1)
            // A DEALLOCATE behind the connection's back is survived.
            try await connection.simpleQuery("DEALLOCATE ALL")
            #expect(try await connection.query("SELECT \(41)::int8 + 1").scalar(Int.self) == 42)
        }
    }

    @Test func multiStatementScriptsRunThroughSimpleQuery() async throws {
        try await withConnection { connection async throws in
            let rows = try await connection.simpleQuery("CREATE TEMP TABLE s (a int); INSERT INTO s VALUES (1),(2); SELECT sum(a) FROM s")
            #expect(try rows.scalar(Int.self) == 3)
        }
    }
}
