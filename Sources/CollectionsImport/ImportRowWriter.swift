import CSV
import CollectionsService
import Foundation
import Postgres

/// Turns records into rows of the staging table, in COPY's text format: the line
/// number, then each column of the format in order (`\N` when empty or bad), then
/// the problems found in the row as a JSON array (`\N` when none).
///
/// Only what a field says on its own is checked here (is it a date, an amount,
/// one of the allowed words); everything that needs the database (does the
/// client exist, how many decimals has the currency, is the number already
/// taken) is checked in SQL, set-based, over the whole staging table.
struct ImportRowWriter {
    let kind: ImportKind
    let columns: [ImportColumn]
    /// For each column of the format, its field in the file (nil: not in the header).
    let fieldIndex: [Int?]
    let header: [String]
    var headerCount: Int { header.count }
    let fileName: String
    var out: [UInt8] = []
    var rowsWithProblems = 0
    private var problems: [(position: Int, column: String?, reason: String)] = []

    init(kind: ImportKind, header: [String], fileName: String) {
        self.kind = kind
        columns = kind.columns
        fieldIndex = columns.map { column in header.firstIndex(of: column.name) }
        self.header = header
        self.fileName = fileName
        out.reserveCapacity(300 * 1024)
    }

    /// Writes the staging row for `record`. Throws for what refuses the whole
    /// file: a byte that is not UTF-8.
    mutating func write(_ record: CSVRecord) throws {
        problems.removeAll(keepingCapacity: true)
        // Not UTF-8 anywhere in the row (extra columns too) refuses the file.
        for field in 0..<record.ends.count {
            let range = record.range(field)
            if let bad = UTF8Check.firstInvalid(record.bytes, range) {
                let column = field < headerCount ? " column \(fieldName(field))" : " field \(field + 1)"
                let hex = String(record.bytes[bad], radix: 16, uppercase: true)
                throw ImportError.file(
                    "\(fileName):\(record.line):\(column): not UTF-8: byte 0x\(hex.count == 1 ? "0" : "")\(hex) at byte offset \(record.fileOffset(field: field, index: bad)) of the file; save the file as UTF-8 and import it again")
            }
        }
        if record.count != headerCount {
            problems.append((-1, nil, "the line has \(record.count) field\(record.count == 1 ? "" : "s"); the header has \(headerCount)"))
        }
        for (field, message) in record.malformed {
            problems.append((-1, field < headerCount ? fieldName(field) : nil, message))
        }
        appendNumber(record.line)
        for (position, column) in columns.enumerated() {
            out.append(9)
            guard let field = fieldIndex[position], field < record.ends.count else {
                if column.required, fieldIndex[position] != nil {
                    problems.append((position, column.name, "a value is required"))
                }
                out.append(contentsOf: Self.null)
                continue
            }
            let range = CSVRecord.trim(record.bytes, record.range(field))
            if range.isEmpty {
                if column.required { problems.append((position, column.name, "a value is required")) }
                out.append(contentsOf: Self.null)
                continue
            }
            if let problem = check(column.value, record.bytes, range) {
                problems.append((position, column.name, problem))
                out.append(contentsOf: Self.null)
            }
        }
        out.append(9)
        if problems.isEmpty {
            out.append(contentsOf: Self.null)
        } else {
            rowsWithProblems += 1
            var json = "["
            for (index, problem) in problems.enumerated() {
                if index > 0 { json += "," }
                json += "{\"position\":\(problem.position),\"column\":"
                json += problem.column.map(JSONText.quoted) ?? "null"
                json += ",\"reason\":\(JSONText.quoted(problem.reason))}"
            }
            json += "]"
            appendEscaped(Array(json.utf8)[...])
        }
        out.append(10)
    }

    private func fieldName(_ field: Int) -> String {
        header[field].isEmpty ? "\(field + 1)" : header[field]
    }

    static let null: [UInt8] = [92, 78]  // \N

    /// Checks a non-empty, trimmed value and writes its staging form; returns
    /// the problem instead (writing nothing) when it has the wrong shape.
    private mutating func check(_ value: ImportColumn.Value, _ bytes: [UInt8], _ range: Range<Int>) -> String? {
        let slice = bytes[range]
        switch value {
        case .text(let max, let lineBreaks):
            // The library's own writes refuse the same (`Check.text`).
            if let refusal = ControlCharacters.refusal(inUTF8: slice, allowingLineBreaks: lineBreaks) { return refusal }
            let length = slice.lazy.filter { $0 & 0xC0 != 0x80 }.count
            guard length <= max else { return "is \(length) characters long; at most \(max) are allowed" }
            appendEscaped(slice)
        case .email:
            if let refusal = ControlCharacters.refusal(inUTF8: slice) { return refusal }
            let text = String(decoding: slice, as: UTF8.self)
            let length = text.unicodeScalars.count
            guard (3...254).contains(length), text.contains("@"), !text.contains(where: { $0.isWhitespace }),
                  !slice.contains(0)
            else { return "\(Self.quoted(slice)) is not an email address" }
            appendEscaped(slice)
        case .currency:
            guard slice.count == 3, slice.allSatisfy({ ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }) else {
                return "\(Self.quoted(slice)) is not a currency code: use an ISO 4217 code such as USD"
            }
            out.append(contentsOf: slice.map { $0 & ~0x20 })
        case .amount(let zero):
            return amount(slice, zero: zero)
        case .date:
            guard CalendarDate(String(decoding: slice, as: UTF8.self)) != nil else { return Self.notADate(slice) }
            out.append(contentsOf: slice)
        case .timestamp:
            guard let text = Self.timestamp(slice) else {
                return "\(Self.quoted(slice)) is not a date or time: write YYYY-MM-DD or an ISO 8601 time such as 2013-06-30T14:05:00+02:00"
            }
            out.append(contentsOf: text.utf8)
        case .integer(let allowed):
            guard slice.count <= 9, slice.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let number = Int(String(decoding: slice, as: UTF8.self)), allowed.contains(number)
            else { return "\(Self.quoted(slice)) is not a whole number from \(allowed.lowerBound) to \(allowed.upperBound)" }
            appendNumber(number)
        case .choice(let words):
            let word = String(decoding: slice, as: UTF8.self).lowercased()
            guard words.contains(word) else {
                return "\(Self.quoted(slice)) is not one of \(words.joined(separator: ", "))"
            }
            out.append(contentsOf: word.utf8)
        }
        return nil
    }

    /// An amount as `AmountText` reads it, the rule `Money(parsing:)` follows too.
    /// How many decimals the currency allows is the database's to say (the
    /// `currencies` table).
    private mutating func amount(_ slice: ArraySlice<UInt8>, zero: Bool) -> String? {
        guard let parsed = AmountText.parse(slice) else { return AmountText.shapeRefusal(quoted: Self.quoted(slice)) }
        let text = String(decoding: slice, as: UTF8.self)
        if let refusal = AmountText.signRefusal(text, parsed, sign: zero ? .nonNegative : .positive) { return refusal }
        guard parsed.whole.drop(while: { $0 == 48 }).count <= 18 else { return "\(text) is out of range" }
        out.append(contentsOf: parsed.negative ? slice.dropFirst() : slice)
        return nil
    }

    private static func notADate(_ slice: ArraySlice<UInt8>) -> String {
        let text = String(decoding: slice, as: UTF8.self)
        let shaped = slice.count == 10 && slice.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == 45 : byte >= 48 && byte <= 57
        }
        if shaped { return "\(quoted(slice)) is not a calendar date" }
        return "\(quoted(slice)) is not a date: write YYYY-MM-DD, e.g. 2013-06-30"
            + (text.contains("/") ? " (month/day/year and day/month/year are ambiguous)" : "")
    }

    /// `YYYY-MM-DD` alone, or with `T` or a space and `HH:MM[:SS[.ffffff]]`, and
    /// optionally `Z` or `+HH[:MM]` / `-HH[:MM]`: the text PostgreSQL reads, with
    /// the session's time zone (the tenant's) for values without an offset.
    static func timestamp(_ slice: ArraySlice<UInt8>) -> String? {
        let bytes = Array(slice)
        guard bytes.count >= 10, let date = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        if bytes.count == 10 { return "\(date) 00:00:00" }
        guard bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32 else { return nil }  // T t space
        func number(_ at: Int, _ width: Int) -> Int? {
            guard at + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[at..<(at + width)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let hour = number(11, 2), hour < 24, bytes.count > 13, bytes[13] == 58, let minute = number(14, 2), minute < 60
        else { return nil }
        var index = 16
        var second = 0
        var fraction = ""
        if index < bytes.count, bytes[index] == 58 {
            guard let s = number(index + 1, 2), s < 60 else { return nil }
            second = s
            index += 3
            if index < bytes.count, bytes[index] == 46 || bytes[index] == 44 {
                index += 1
                let digitsStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > digitsStart, index - digitsStart <= 6 else { return nil }
                fraction = "." + String(decoding: bytes[digitsStart..<index], as: UTF8.self)
            }
        }
        var zone = ""
        if index < bytes.count {
            if bytes[index] == 90 || bytes[index] == 122, index + 1 == bytes.count {  // Z
                zone = "+00:00"
            } else if bytes[index] == 43 || bytes[index] == 45 {  // + -
                let sign = bytes[index] == 43 ? "+" : "-"
                guard let hours = number(index + 1, 2), hours <= 15 else { return nil }
                var minutes = 0
                var next = index + 3
                if next < bytes.count {
                    if bytes[next] == 58 { next += 1 }
                    guard let m = number(next, 2), m < 60, next + 2 == bytes.count else { return nil }
                    minutes = m
                }
                zone = sign + pad2(hours) + ":" + pad2(minutes)
            } else {
                return nil
            }
        }
        return "\(date) \(pad2(hour)):\(pad2(minute)):\(pad2(second))\(fraction)\(zone)"
    }

    private static func pad2(_ number: Int) -> String { number < 10 ? "0\(number)" : String(number) }

    /// The value in quotes, shortened when long, for a message.
    static func quoted(_ slice: ArraySlice<UInt8>) -> String {
        let text = String(decoding: slice.prefix(60).map { $0 == 0 ? 63 : $0 }, as: UTF8.self)
        return "\"\(text)\(slice.count > 60 ? "..." : "")\""
    }

    private mutating func appendNumber(_ number: Int) {
        out.append(contentsOf: String(number).utf8)
    }

    /// Escapes a value for COPY's text format: backslash, tab, line feed and
    /// carriage return.
    private mutating func appendEscaped(_ slice: ArraySlice<UInt8>) {
        var from = slice.startIndex
        for index in slice.indices {
            let byte = slice[index]
            guard byte == 92 || byte == 9 || byte == 10 || byte == 13 else { continue }
            out.append(contentsOf: slice[from..<index])
            out.append(92)
            out.append(byte == 92 ? 92 : byte == 9 ? 116 : byte == 10 ? 110 : 114)
            from = index + 1
        }
        out.append(contentsOf: slice[from..<slice.endIndex])
    }
}
