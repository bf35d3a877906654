import Foundation
import Postgres
import Testing

/// Resident memory of this process in bytes, from /proc.
func residentMemory() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = Int(text.split(separator: " ")[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

@Suite struct CopyTests {
    @Test func copiesRowsWithEscapesAndNulls() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("copied")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int, label text)")
            let labels: [String?] = ["tab\there", "new\nline", "back\\slash", nil, "plain"]
            let count = try await connection.copyIn("COPY \(identifier: table) FROM STDIN") { writer in
                for (n, label) in labels.enumerated() { try await writer.writeRow([String(n), label]) }
            }
            #expect(count == labels.count)
            let back = try await connection.query("SELECT label FROM \(identifier: table) ORDER BY n").map { try $0.decode(String?.self, at: 0) }
            #expect(back == labels)
        }
    }

    @Test func aFailingSourceAbortsTheCopyAndLoadsNothing() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("aborted")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int)")
            struct SourceBroke: Error {}
            await #expect(throws: SourceBroke.self) {
                try await connection.copyIn("COPY \(identifier: table) FROM STDIN") { writer in
                    for n in 0..<100_000 { try await writer.writeRow([String(n)]) }
                    throw SourceBroke()
                }
            }
            #expect(try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0)
            // Bad data is the server's error, with the line it failed on.
            let error = await #expect(throws: PostgresError.self) {
                try await connection.copyIn("COPY \(identifier: table) FROM STDIN") { writer in
                    try await writer.writeRow(["1"])
                    try await writer.writeRow(["not a number"])
                }
            }
            #expect(error?.sqlState == "22P02")
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
        }
    }

    @Test func memoryStaysFlatWhileStreamingManyRows() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("streamed")
            try await connection.execute("CREATE UNLOGGED TABLE \(identifier: table) (n int8, label text)")
            let padding = String(repeating: "x", count: 100)
            let rows = 1_000_000
            let before = residentMemory()
            var peak = before
            let count = try await connection.copyIn("COPY \(identifier: table) FROM STDIN") { writer in
                for n in 0..<rows {
                    try await writer.writeRow([String(n), padding])
                    if n % 100_000 == 0 { peak = max(peak, residentMemory()) }
                }
            }
            peak = max(peak, residentMemory())
            #expect(count == rows)
            // ~110 MB went through; a buffer-everything design would grow by that much.
            #expect(peak - before < 40 * 1024 * 1024, "resident memory grew by \(peak - before) bytes")
        }
    }
}

@Suite struct PipelineTests {
    @Test func manyStatementsRunInOneRoundTrip() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("piped")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int PRIMARY KEY)")
            let inserts: [SQL] = (0..<2_000).map { "INSERT INTO \(identifier: table) VALUES (\($0))" }
            let results = try await connection.pipeline(inserts + ["SELECT count(*) FROM \(identifier: table)"])
            #expect(results.count == 2_001)
            #expect(try results.last?.scalar(Int.self) == 2_000)
        }
    }

    @Test func aFailureInThePipelineUndoesTheWholeBatch() async throws {
        try await withConnection { connection async throws in
            let table = uniqueName("piped")
            try await connection.execute("CREATE TABLE \(identifier: table) (n int PRIMARY KEY)")
            let batch: [SQL] = [
                "INSERT INTO \(identifier: table) VALUES (1)",
                "INSERT INTO \(identifier: table) VALUES (1)",
                "INSERT INTO \(identifier: table) VALUES (2)",
            ]
            let error = await #expect(throws: PostgresError.self) { try await connection.pipeline(batch) }
            #expect(error?.kind == .uniqueViolation)
            #expect(try await connection.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) == 0)
        }
    }
}
