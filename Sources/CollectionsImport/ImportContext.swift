import CSV
import CollectionsService
import Foundation
import Postgres

/// One import in progress, inside its transaction: the staging table
/// `import_stage` (the format's columns, typed, plus `line` and `problems`) and
/// `import_rejects` (one row per problem), both dropped at commit.
struct ImportContext {
    let kind: ImportKind
    let path: String
    let fileName: String
    let tenant: Tenant
    let actor: String
    let tx: PostgresConnection
    let progress: @Sendable (ImportProgress) -> Void
    /// The file's header, trimmed and lower-cased.
    private(set) var header: [String] = []
    private(set) var rows = 0
    private(set) var rejectedRows = 0
    private(set) var fileSize: Int64?
    /// See `ImportOptions.paymentsPerSet`.
    var paymentsPerSet = 10_000

    init(
        kind: ImportKind, path: String, fileName: String, tenant: Tenant, actor: String, tx: PostgresConnection,
        progress: @escaping @Sendable (ImportProgress) -> Void
    ) async throws {
        self.kind = kind
        self.path = path
        self.fileName = fileName
        self.tenant = tenant
        self.actor = actor
        self.tx = tx
        self.progress = progress
        // Short statements over many rows: compiling them costs more than it saves.
        // Room to hash a million keys. Dates alone are midnight in the tenant's zone.
        // The staging table in memory rather than in files, when the session has
        // used no temporary table yet (after that the size cannot change).
        try await tx.query("""
            SELECT set_config('jit', 'off', true), set_config('work_mem', '128MB', true),
                   set_config('TimeZone', \(tenant.timeZone), true), set_config('client_encoding', 'UTF8', true),
                   CASE WHEN pg_my_temp_schema() = 0 THEN set_config('temp_buffers', '256MB', true) END
            """)
    }

    /// Whether the file's header has `column`.
    func has(_ column: String) -> Bool { header.contains(column) }

    /// The position of `column` in the format, for ordering problems.
    func position(_ column: String) -> Int { kind.columns.firstIndex { $0.name == column } ?? -1 }

    /// Reads the file into `import_stage`.
    mutating func stage() async throws {
        var reader = try CSVReader(path: path)
        fileSize = reader.fileSize
        var record = CSVRecord()
        header = try readHeader(&reader, &record)

        let columns = kind.columns.map { "\(SQL.quoteIdentifier($0.name)) \($0.value.sqlType)" }.joined(separator: ", ")
        try await tx.simpleQuery("""
            CREATE TEMP TABLE import_stage (line int NOT NULL, \(columns), problems jsonb) ON COMMIT DROP;
            CREATE TEMP TABLE import_rejects (line int NOT NULL, position int NOT NULL, column_name text, reason text NOT NULL)
                ON COMMIT DROP
            """)
        var writer = ImportRowWriter(kind: kind, header: header, fileName: fileName)
        let progress = self.progress
        let size = fileSize
        var rows = 0
        try await tx.copyIn("COPY import_stage FROM STDIN") { copy in
            progress(ImportProgress(phase: .reading, rows: 0, bytesRead: reader.bytesRead, totalBytes: size))
            while try reader.next(into: &record) {
                try writer.write(record)
                rows += 1
                if writer.out.count >= 256 * 1024 {
                    try await copy.write(writer.out)
                    writer.out.removeAll(keepingCapacity: true)
                    progress(ImportProgress(phase: .reading, rows: rows, bytesRead: reader.bytesRead, totalBytes: size))
                } else if rows % 100_000 == 0 {
                    progress(ImportProgress(phase: .reading, rows: rows, bytesRead: reader.bytesRead, totalBytes: size))
                }
            }
            try await copy.write(writer.out)
            progress(ImportProgress(phase: .reading, rows: rows, bytesRead: reader.bytesRead, totalBytes: size))
        }
        self.rows = rows
        // Row counts and distinct values for the plans of the checks below.
        if rows > 0 { try await tx.simpleQuery("ANALYZE import_stage") }
    }

    /// The header: UTF-8, every column named once, the format's required ones present.
    private func readHeader(_ reader: inout CSVReader, _ record: inout CSVRecord) throws -> [String] {
        guard try reader.next(into: &record) else {
            throw ImportError.file(
                "\(fileName): the file is empty; the first line must be the header: \(kind.columns.map(\.name).joined(separator: ","))")
        }
        var names: [String] = []
        for field in 0..<record.ends.count {
            if let bad = UTF8Check.firstInvalid(record.bytes, record.range(field)) {
                throw ImportError.file(
                    "\(fileName):\(record.line): the header is not UTF-8: byte 0x\(String(record.bytes[bad], radix: 16, uppercase: true)) at byte offset \(record.fileOffset(field: field, index: bad)) of the file; save the file as UTF-8 and import it again")
            }
            names.append((record.text(field) ?? "").lowercased())
        }
        if let (field, message) = record.malformed.first {
            throw ImportError.file("\(fileName):\(record.line): the header is not valid CSV (field \(field + 1)): \(message)")
        }
        if record.extraFields > 0 {
            throw ImportError.file("\(fileName):\(record.line): the header has more than \(CSVReader.maxFields) columns")
        }
        for (index, name) in names.enumerated() where !name.isEmpty {
            if let first = names.firstIndex(of: name), first < index {
                throw ImportError.file(
                    "\(fileName):\(record.line): column \"\(name)\" appears twice in the header (fields \(first + 1) and \(index + 1))")
            }
        }
        let missing = kind.columns.filter { $0.required && !names.contains($0.name) }.map(\.name)
        if !missing.isEmpty {
            let list = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            throw ImportError.file(
                "\(fileName):\(record.line): the header has no column\(missing.count == 1 ? "" : "s") \(list) (\(kind.rawValue) files have the columns \(kind.headerHelp); found: \(names.joined(separator: ",")))")
        }
        return names
    }

    /// Checks the staged rows against the database: every problem goes to `import_rejects`.
    mutating func check() async throws {
        progress(ImportProgress(phase: .checking, rows: rows, bytesRead: fileSize ?? 0, totalBytes: fileSize))
        guard rows > 0 else { return }
        // What the row writer found on its own.
        try await tx.execute("""
            INSERT INTO import_rejects (line, position, column_name, reason)
            SELECT s.line, (p->>'position')::int, p->>'column', p->>'reason'
            FROM import_stage s CROSS JOIN LATERAL jsonb_array_elements(s.problems) p
            WHERE s.problems IS NOT NULL
            """)
        switch kind {
        case .clients: try await ClientImport.check(self)
        case .invoices: try await InvoiceImport.check(self)
        case .payments: try await PaymentImport.check(self)
        case .notes: try await NoteImport.check(self)
        }
        try await countRejected()
    }

    mutating func countRejected() async throws {
        rejectedRows = try await tx.query("SELECT count(DISTINCT line) FROM import_rejects").scalar(Int.self) ?? 0
    }

    /// Writes the good rows; returns (inserted, unchanged). Refuses the whole
    /// file, listing the problems, when a row is bad and `refuseOnRejects`.
    mutating func write(dryRun: Bool, refuseOnRejects: Bool) async throws -> (inserted: Int, unchanged: Int) {
        progress(ImportProgress(phase: .writing, rows: rows - rejectedRows, bytesRead: fileSize ?? 0, totalBytes: fileSize))
        guard rows > 0 else { return (0, 0) }
        if kind == .payments {
            // The ledger decides where payments may go and may refuse one (an
            // amount more than the invoice's balance): post them first, so the
            // listing below has every problem.
            let posted = try await PaymentImport.post(&self)
            try await countRejected()
            if rejectedRows > 0, refuseOnRejects { try await refuse() }
            return (posted.inserted, posted.unchanged)
        }
        if rejectedRows > 0, refuseOnRejects { try await refuse() }
        let good = rows - rejectedRows
        let inserted: Int
        switch kind {
        case .clients: inserted = try await ClientImport.write(self, dryRun: dryRun)
        case .invoices: inserted = try await InvoiceImport.write(self, dryRun: dryRun)
        case .notes: inserted = try await NoteImport.write(self, dryRun: dryRun)
        case .payments: inserted = 0
        }
        return (inserted, good - inserted)
    }
}
