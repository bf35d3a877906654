import CSV
import Foundation
import Postgres

/// The bad rows of an import: listed in the error that refuses the file, or
/// written to a rejects file (the file's own columns, then `line,reason`).
extension ImportContext {
    /// Refuses the file: one error listing the bad rows, line by line.
    func refuse() async throws -> Never {
        let problems = try await tx.query("""
            SELECT line, column_name, reason FROM import_rejects
            ORDER BY line, position, reason LIMIT \(ImportError.listed)
            """).map { ImportProblem(line: try $0["line"], column: try $0["column_name"], reason: try $0["reason"]) }
        let total = try await tx.query("SELECT count(*) FROM import_rejects").scalar(Int.self) ?? 0
        var message = "\(fileName): \(rejectedRows) of \(rows) row\(rows == 1 ? " is" : "s are") bad; nothing was imported"
        message += " (with --rejects FILE the good rows are imported and the bad ones written to FILE): "
        message += problems.map { problem in
            "\(fileName):\(problem.line): " + (problem.column.map { "column \($0): " } ?? "") + problem.reason
        }.joined(separator: "; ")
        if total > problems.count { message += "; and \(total - problems.count) more" }
        throw ImportError(message: message, problems: problems, badRows: rejectedRows)
    }

    /// Writes the bad rows into `file`: the file is read a second time and
    /// each bad record written out as it was, with its line and reasons, so
    /// memory stays flat however many rows are bad.
    func writeRejects(to file: RejectsFile) async throws {
        progress(ImportProgress(phase: .rejects, rows: rejectedRows, bytesRead: 0, totalBytes: fileSize))
        let descriptor = file.descriptor
        let path = file.path
        var out: [UInt8] = []
        func flush() throws {
            var written = 0
            while written < out.count {
                let count = out[written...].withUnsafeBytes { writeBytes(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ImportError.file("cannot write the rejects file \(path): \(String(cString: strerror(errno)))")
                }
                written += count
            }
            out.removeAll(keepingCapacity: true)
        }
        // The bad rows are written as they were in the file, with one accepted
        // exception: a cell a spreadsheet would run as a formula (`=HYPERLINK(...)`,
        // `+1-555-0100`, `@SUM(...)`) gets a leading `'` (CSVWriter's one rule for
        // every CSV we write), since the file is opened by people fixing the rows.
        func append(_ fields: [ArraySlice<UInt8>]) {
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(44) }
                CSVWriter.appendField(field, to: &out)
            }
            out.append(contentsOf: [13, 10])
        }

        var reader = try CSVReader(path: self.path)
        var record = CSVRecord()
        guard try reader.next(into: &record) else { return }
        let columns = record.ends.count
        append((0..<columns).map { record.bytes[record.range($0)] } + [Array("line".utf8)[...], Array("reason".utf8)[...]])

        try await tx.simpleQuery("""
            DECLARE import_rejects_out NO SCROLL CURSOR FOR
            SELECT line, string_agg(CASE WHEN column_name IS NULL THEN reason ELSE 'column ' || column_name || ': ' || reason END,
                                    '; ' ORDER BY position, reason) AS reason
            FROM import_rejects GROUP BY line ORDER BY line
            """)
        var pending: [(line: Int, reason: String)] = []
        var next = 0
        while true {
            if next == pending.count {
                pending = try await tx.simpleQuery("FETCH 5000 FROM import_rejects_out").map {
                    (try $0.decode(Int.self, at: 0), try $0.decode(String.self, at: 1))
                }
                next = 0
                if pending.isEmpty { break }
            }
            let (line, reason) = pending[next]
            // Records come in line order, as the rejects do.
            var found = false
            while try reader.next(into: &record) {
                if record.line == line {
                    found = true
                    break
                }
                if record.line > line { break }
            }
            guard found else {
                throw ImportError.file("\(fileName) changed while it was being imported (line \(line) is gone); nothing was imported")
            }
            var fields = (0..<min(columns, record.ends.count)).map { record.bytes[record.range($0)] }
            while fields.count < columns { fields.append([]) }
            append(fields + [Array(String(line).utf8)[...], Array(reason.utf8)[...]])
            if out.count >= 256 * 1024 { try flush() }
            next += 1
        }
        try await tx.simpleQuery("CLOSE import_rejects_out")
        try flush()
        // Here, on the connection's thread (the transaction's executor), not on the
        // cooperative pool: fsync blocks.
        guard fsync(descriptor) == 0 else {
            throw ImportError.file("cannot write the rejects file \(path): \(String(cString: strerror(errno)))")
        }
    }
}
