import Foundation
import Postgres
import Testing

/// A value the JSON encoder refuses must stop the statement before anything is sent:
/// binding NULL in its place would store (and an idempotent replay would answer) a
/// different value.
@Suite struct EncodingTests {
    struct Reading: Codable, Sendable, Equatable {
        var label: String
        var value: Double
    }

    struct Refuses: Codable, Sendable {
        struct Secret: Error {}
        init() {}
        init(from decoder: any Decoder) throws { throw Secret() }
        func encode(to encoder: any Encoder) throws { throw Secret() }
    }

    @Test func aNaNInsideAJSONBValueThrowsAndNothingIsWritten() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("jsonb_refused")
            try await connection.execute("CREATE TABLE \(identifier: table) (doc jsonb)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(identifier: table) VALUES (\(JSONB(Reading(label: "private", value: .nan))))")
            }
            #expect(error?.kind == .encoding)
            #expect(error?.message.contains("Reading") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("value") == true, "names the coding path: \(error?.message ?? "")")
            #expect(error?.description.contains("private") == false)
            #expect(try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0)
        }
    }

    @Test func anEncodableThatThrowsFailsEveryWayOfSending() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("jsonb_refused")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int, doc jsonb)")
            var fragment: SQL = "INSERT INTO \(identifier: table) VALUES (1, "
            fragment.append("\(JSONB(Refuses())))")
            let direct = await #expect(throws: PostgresError.self) { try await connection.execute(fragment) }
            #expect(direct?.kind == .encoding)
            #expect(direct?.message.contains("Refuses") == true, "\(direct?.message ?? "")")
            // Arrays and optionals of such a value, too.
            let inArray = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT \([JSONB(Refuses())])::jsonb[]")
            }
            #expect(inArray?.kind == .encoding)
            let optional: JSONB<Refuses>? = JSONB(Refuses())
            await #expect(throws: PostgresError.self) { try await connection.query("SELECT \(optional)::jsonb") }
            // A pipeline sends none of its statements when one cannot be encoded.
            let pipelined = await #expect(throws: PostgresError.self) {
                try await connection.pipeline([
                    "INSERT INTO \(identifier: table) VALUES (2, NULL)",
                    "INSERT INTO \(identifier: table) VALUES (3, \(JSONB(Refuses())))",
                ])
            }
            #expect(pipelined?.kind == .encoding)
            #expect(try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0)
            // The connection is untouched and a good value still goes through.
            try await connection.execute("INSERT INTO \(identifier: table) VALUES (4, \(JSONB(Reading(label: "ok", value: 1.5))))")
            let back = try await connection.query("SELECT doc FROM \(identifier: table)").scalar(JSONB<Reading>.self)
            #expect(back?.value == Reading(label: "ok", value: 1.5))
        }
    }
}
