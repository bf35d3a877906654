import Foundation

/// Reads an RFC 4180 file record by record, a chunk at a time: memory stays
/// the size of one chunk and one record, whatever the size of the file.
///
/// Accepted beyond the RFC, as spreadsheets write them: LF as well as CRLF line
/// ends, a UTF-8 byte-order mark, a quote inside an unquoted field (taken
/// literally), and no line end after the last record. Empty lines are skipped.
/// Text after a closing quote and a quoted field never closed are reported on
/// the record (`malformed`), not thrown: the caller decides what a bad row costs.
package struct CSVReader {
    /// A field longer than this is cut (and reported): no column holds more.
    package static let maxFieldBytes = 1 << 20
    /// Fields past this many are counted but not kept.
    package static let maxFields = 1024

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
    package init(path: String, chunkSize: Int = 1 << 20) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw CSVFileError("cannot open \(path): \(String(cString: strerror(errno)))")
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
    package var fileSize: Int64? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o170000 == 0o100000 else { return nil }  // a regular file
        return Int64(info.st_size)
    }

    /// Bytes of the file consumed so far.
    package var bytesRead: Int64 { offset }

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
                throw CSVFileError("cannot read the file: \(String(cString: strerror(errno)))")
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
    package mutating func next(into record: inout CSVRecord) throws -> Bool {
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

        /// Takes the plain bytes from `start` up to `index` into the field, in one
        /// append (not one a byte), and moves past them.
        func take(upTo index: Int, _ record: inout CSVRecord, _ fieldBytes: inout Int) {
            guard index > start else { return }
            append(&record, chunk[start..<index], &fieldBytes)
            offset += Int64(index - start)
            start = index
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
                take(upTo: index, &record, &fieldBytes)
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
                take(upTo: index, &record, &fieldBytes)
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
