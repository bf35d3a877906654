import Foundation
import Testing

@testable import CollectionsService
@testable import CSV
@testable import CollectionsImport

/// The CSV reader the importer streams files through.
@Suite struct CSVReaderTests {
    struct Read: Equatable {
        var line: Int
        var fields: [String]
        var malformed: [String] = []
    }

    /// Every record of `bytes`, read `chunk` bytes at a time.
    func read(_ bytes: [UInt8], chunk: Int) throws -> [Read] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try CSVReader(path: url.path, chunkSize: chunk)
        var record = CSVRecord()
        var result: [Read] = []
        while try reader.next(into: &record) {
            let fields = (0..<record.ends.count).map { String(decoding: record.bytes[record.range($0)], as: UTF8.self) }
            result.append(Read(line: record.line, fields: fields, malformed: record.malformed.map(\.message)))
        }
        #expect(reader.bytesRead == Int64(bytes.count))
        return result
    }

    func read(_ text: String, chunk: Int = 1 << 20) throws -> [Read] { try read(Array(text.utf8), chunk: chunk) }

    @Test func quotedFieldsMayHoldCommasQuotesAndLineEndsAndKeepTheFileLineNumbers() throws {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\r\nlines\"\r\n\r\n2,,\"\"\n3,\"ab\"\"\",c"
        let expected = [
            Read(line: 1, fields: ["a", "b", "c"]),
            Read(line: 2, fields: ["1", "x, \"y\"", "two\r\nlines"]),
            Read(line: 5, fields: ["2", "", ""]),
            Read(line: 6, fields: ["3", "ab\"", "c"]),
        ]
        // Whatever the chunk size, the records are the same: no state is lost at a boundary.
        for chunk in [1, 2, 3, 5, 7, 64, 1 << 20] {
            #expect(try read(text, chunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    @Test func aByteOrderMarkEmptyLinesAndAMissingLastLineEndAreFine() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("ref,name\n\nC1,Acme\n\n\nC2,\"Bolt\"".utf8)
        for chunk in [1, 2, 4, 1 << 20] {
            #expect(try read(bytes, chunk: chunk) == [
                Read(line: 1, fields: ["ref", "name"]),
                Read(line: 3, fields: ["C1", "Acme"]),
                Read(line: 6, fields: ["C2", "Bolt"]),
            ], "chunk \(chunk)")
        }
        #expect(try read("").isEmpty)
        #expect(try read([0xEF, 0xBB, 0xBF], chunk: 2).isEmpty)
    }

    @Test func brokenQuotingIsReportedOnTheRecordNotThrown() throws {
        #expect(try read("a,b\n\"x\"y,z\n1,\"never closed\n2,3\n") == [
            Read(line: 1, fields: ["a", "b"]),
            Read(line: 2, fields: ["xy", "z"], malformed: ["text after the closing quote of a quoted field"]),
            Read(line: 3, fields: ["1", "never closed\n2,3\n"], malformed: ["a quoted field opened on line 3 is never closed"]),
        ])
        // A quote inside an unquoted field is taken literally, as spreadsheets write it.
        #expect(try read("12\" pipe,x\n") == [Read(line: 1, fields: ["12\" pipe", "x"])])
    }

    @Test func utf8CheckFindsTheFirstBadByteAndRefusesOverlongAndSurrogateForms() {
        func check(_ bytes: [UInt8]) -> Int? { UTF8Check.firstInvalid(bytes, 0..<bytes.count) }
        #expect(check(Array("Café, 東京, 😀".utf8)) == nil)
        #expect(check(Array("Caf".utf8) + [0xE9, 0x20]) == 3)  // Latin-1 é
        #expect(check([0x41, 0xC0, 0x80]) == 1)  // overlong NUL
        #expect(check([0xED, 0xA0, 0x80]) == 0)  // a UTF-16 surrogate
        #expect(check([0xF4, 0x90, 0x80, 0x80]) == 0)  // past U+10FFFF
        #expect(check([0x41, 0xE2, 0x82]) == 1)  // cut short
    }

    @Test func noteTimesAreDatesOrISO8601TimesWithOrWithoutAnOffset() {
        func parse(_ text: String) -> String? { ImportRowWriter.timestamp(Array(text.utf8)[...]) }
        #expect(parse("2013-06-30") == "2013-06-30 00:00:00")
        #expect(parse("2013-06-30T14:05") == "2013-06-30 14:05:00")
        #expect(parse("2013-06-30 14:05:09.25") == "2013-06-30 14:05:09.25")
        #expect(parse("2013-06-30T14:05:09Z") == "2013-06-30 14:05:09+00:00")
        #expect(parse("2013-06-30T14:05:09+0530") == "2013-06-30 14:05:09+05:30")
        #expect(parse("2013-06-30T14:05:09-03") == "2013-06-30 14:05:09-03:00")
        for bad in ["30/06/2013", "2013-02-30", "2013-06-30T24:00", "2013-06-30T14", "2013-06-30T14:05:09+5", "2013-06-30 14:05 CET"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }
}
