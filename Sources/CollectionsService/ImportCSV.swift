import Foundation

/// One record of a CSV file: its fields' bytes, decoded (quotes removed, `""`
/// made `"`), back to back, and where it started.
///
/// Reused from record to record, so reading a file allocates per field only
/// while a record grows past the largest one seen.
struct CSVRecord {
    /// The file line the record starts on (1-based). A quoted field may span
    /// lines, so the next record's line can be more than this one's plus one.
    var line = 0
    /// The fields' decoded bytes, one after another.
    var bytes: [UInt8] = []
    /// Where each field ends in `bytes`.
    var ends: [Int] = []
    /// Where each field starts in the file (its first byte, an opening quote
    /// included), for error messages.
    var offsets: [Int64] = []
    /// Whether each field was quoted.
    var quoted: [Bool] = []
    /// Structural problems (rare): (field index, what is wrong).
    var malformed: [(field: Int, message: String)] = []
    /// Fields past `CSVReader.maxFields` are counted, not kept.
    var extraFields = 0

    var count: Int { ends.count + extraFields }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        if !malformed.isEmpty { malformed.removeAll() }
        extraFields = 0
    }

    /// The decoded bytes of field `index` (which must be kept, `< ends.count`).
    func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Field `index` as text, without surrounding ASCII blanks; nil when empty.
    func text(_ index: Int) -> String? {
        guard index < ends.count else { return nil }
        let trimmed = CSVRecord.trim(bytes, range(index))
        guard !trimmed.isEmpty else { return nil }
        return String(decoding: bytes[trimmed], as: UTF8.self)
    }

    /// `range` without leading and trailing spaces and tabs.
    static func trim(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return lower..<upper
    }

    /// The file offset of decoded byte `index` of field `field`: a quoted field's
    /// opening quote and each doubled quote before it take a byte more.
    func fileOffset(field: Int, index: Int) -> Int64 {
        let range = self.range(field)
        var offset = offsets[field] + Int64(index - range.lowerBound)
        if quoted[field] {
            offset += 1 + Int64(bytes[range.lowerBound..<index].lazy.filter { $0 == 34 }.count)
        }
        return offset
    }
}

/// Reads an RFC 4180 file record by record, a chunk at a time: memory stays
/// the size of one chunk and one record, whatever the size of the file.
///
/// Accepted beyond the RFC, as spreadsheets write them: LF as well as CRLF line
/// ends, a UTF-8 byte-order mark, a quote inside an unquoted field (taken
/// literally), and no line end after the last record. Empty lines are skipped.
/// Text after a closing quote and a quoted field never closed are reported on
/// the record (`malformed`), not thrown: the caller decides what a bad row costs.
struct CSVReader {
    /// A field longer than this is cut (and reported): no column holds more.
    static let maxFieldBytes = 1 << 20
    /// Fields past this many are counted but not kept.
    static let maxFields = 1024

    /// Closes the file when the last copy of the reader is gone.
    private final class Descriptor {
        let value: Int32
        init(_ value: Int32) { self.value = value }
        deinit { close(value) }
    }

    private let file: Descriptor
    private var descriptor: Int32 { file.value }
    private var chunk: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// File offset of `chunk[start]`.
    private(set) var offset: Int64 = 0
    /// Lines consumed so far (the number of the line being read, minus one).
    private var linesDone = 0
    /// The first bytes of the file, read to look for a byte-order mark, not yet consumed.
    private var pending: [UInt8] = []
    /// Data records returned so far.
    private(set) var records = 0

    /// Opens `path` for reading; the descriptor closes with the reader.
    init(path: String, chunkSize: Int = 1 << 20) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ImportError.file("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        file = Descriptor(descriptor)
        chunk = [UInt8](repeating: 0, count: max(1, chunkSize))
        // A UTF-8 byte-order mark is not part of the first column's name.
        var head = [UInt8](repeating: 0, count: 3)
        var count = 0
        while count < 3 {
            let got = head[count...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        if count == 3, head == [0xEF, 0xBB, 0xBF] {
            offset = 3
        } else {
            pending = Array(head[0..<count])
        }
    }

    /// The size of the file in bytes, when the descriptor knows it.
    var fileSize: Int64? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o170000 == 0o100000 else { return nil }  // a regular file
        return Int64(info.st_size)
    }

    /// Bytes of the file consumed so far.
    var bytesRead: Int64 { offset }

    private mutating func refill() throws -> Bool {
        if !pending.isEmpty {
            let count = min(pending.count, chunk.count)
            chunk.replaceSubrange(0..<count, with: pending[0..<count])
            pending.removeFirst(count)
            start = 0
            end = count
            return true
        }
        if atEOF { return false }
        let descriptor = self.descriptor
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImportError.file("cannot read the file: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                atEOF = true
                return false
            }
            start = 0
            end = count
            return true
        }
    }

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    /// Reads the next record into `record`; false at the end of the file.
    mutating func next(into record: inout CSVRecord) throws -> Bool {
        while true {
            record.reset()
            guard try readRecord(into: &record) else { return false }
            // An empty line is a single empty unquoted field: skip it.
            if record.ends.count == 1, record.bytes.isEmpty, !record.quoted[0], record.malformed.isEmpty { continue }
            records += 1
            return true
        }
    }

    private mutating func readRecord(into record: inout CSVRecord) throws -> Bool {
        var state = State.fieldStart
        var fieldBytes = 0
        var quoteLine = 0
        var sawByte = false
        record.line = linesDone + 1

        func beginField(_ record: inout CSVRecord, at offset: Int64, quoted: Bool) {
            if record.ends.count < CSVReader.maxFields {
                record.offsets.append(offset)
                record.quoted.append(quoted)
            }
        }
        func endField(_ record: inout CSVRecord) {
            if record.ends.count < CSVReader.maxFields {
                record.ends.append(record.bytes.count)
            } else {
                record.extraFields += 1
            }
        }
        func append(_ record: inout CSVRecord, _ bytes: ArraySlice<UInt8>, _ fieldBytes: inout Int) {
            guard record.ends.count < CSVReader.maxFields else { return }
            let room = CSVReader.maxFieldBytes - fieldBytes
            if bytes.count <= room {
                record.bytes.append(contentsOf: bytes)
            } else {
                if room >= 0 {
                    record.bytes.append(contentsOf: bytes.prefix(room))
                    record.malformed.append((record.ends.count, "the field is longer than \(CSVReader.maxFieldBytes) bytes"))
                }
            }
            fieldBytes += bytes.count
        }

        while true {
            if start == end {
                guard try refill() else {
                    // End of file.
                    if !sawByte { return false }
                    switch state {
                    case .quoted:
                        record.malformed.append((record.ends.count, "a quoted field opened on line \(quoteLine) is never closed"))
                    case .fieldStart:
                        beginField(&record, at: offset, quoted: false)
                    default:
                        break
                    }
                    endField(&record)
                    return true
                }
            }
            sawByte = true
            switch state {
            case .fieldStart:
                let byte = chunk[start]
                if byte == 34 {  // "
                    beginField(&record, at: offset, quoted: true)
                    quoteLine = linesDone + 1
                    fieldBytes = 0
                    start += 1
                    offset += 1
                    state = .quoted
                } else {
                    beginField(&record, at: offset, quoted: false)
                    fieldBytes = 0
                    state = .unquoted
                }
            case .unquoted:
                // Copy up to the next comma or line end in one go.
                var index = start
                while index < end {
                    let byte = chunk[index]
                    if byte == 44 || byte == 10 || byte == 13 { break }
                    index += 1
                }
                if index > start {
                    append(&record, chunk[start..<index], &fieldBytes)
                    offset += Int64(index - start)
                    start = index
                }
                guard start < end else { continue }
                let byte = chunk[start]
                start += 1
                offset += 1
                endField(&record)
                if byte == 44 {
                    state = .fieldStart
                    continue
                }
                try lineEnd(after: byte)
                return true
            case .quoted:
                var index = start
                while index < end {
                    let byte = chunk[index]
                    if byte == 34 { break }
                    if byte == 10 { linesDone += 1 }
                    index += 1
                }
                if index > start {
                    append(&record, chunk[start..<index], &fieldBytes)
                    offset += Int64(index - start)
                    start = index
                }
                guard start < end else { continue }
                start += 1  // the quote
                offset += 1
                state = .afterQuote
            case .afterQuote:
                let byte = chunk[start]
                if byte == 34 {  // a doubled quote is one quote
                    append(&record, [34], &fieldBytes)
                    start += 1
                    offset += 1
                    state = .quoted
                } else if byte == 44 {
                    start += 1
                    offset += 1
                    endField(&record)
                    state = .fieldStart
                } else if byte == 10 || byte == 13 {
                    start += 1
                    offset += 1
                    endField(&record)
                    try lineEnd(after: byte)
                    return true
                } else {
                    if !record.malformed.contains(where: { $0.field == record.ends.count }) {
                        record.malformed.append((record.ends.count, "text after the closing quote of a quoted field"))
                    }
                    state = .unquoted
                }
            }
        }
    }

    /// Counts the line that `byte` (LF or CR) ended, taking the LF of a CRLF with it.
    private mutating func lineEnd(after byte: UInt8) throws {
        linesDone += 1
        guard byte == 13 else { return }
        if start == end, !(try refill()) { return }
        if chunk[start] == 10 {
            start += 1
            offset += 1
        }
    }
}

/// UTF-8 validation of a field's bytes.
enum UTF8Check {
    /// The index of the first byte that is not part of a well-formed UTF-8
    /// sequence (overlong forms, surrogates and code points past U+10FFFF are
    /// not well-formed), or nil when all of `range` is UTF-8.
    static func firstInvalid(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        let upper = range.upperBound
        while index < upper {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= upper else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            for k in 2..<length where bytes[index + k] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }
}
