public import ArgumentParser
import CollectionsCommandLine
public import CollectionsImport
import CollectionsService
import Foundation

extension ImportKind: ExpressibleByArgument {}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import clients, invoices, payments or contact notes from a CSV file into a tenant.",
        discussion: """
            Files are UTF-8 CSV (RFC 4180) with a header row; columns may come in any order and
            extra columns are ignored:
              clients   ref,name,email,phone,payment_terms_days,credit_limit,currency
              invoices  client_ref,number,currency,amount,issued_on,due_on
              payments  client_ref,reference,currency,amount,received_on,invoice_number
              notes     client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction
            Amounts are decimals in major units (1234.56), with no more decimals than the
            currency has; dates are YYYY-MM-DD.

            The import is one transaction. Every row is checked first; one bad row refuses the
            whole file, and the error lists every bad row (line, column, reason), unless
            --rejects FILE asks to import the good rows and write the bad ones to FILE (their
            columns, then line and reason). Importing the same file again changes nothing:
            rows already present with the same details count as unchanged. Payments are posted
            through the ledger with their reference as the idempotency key.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Argument(help: "What the file holds: clients, invoices, payments or notes.") var kind: ImportKind
    @Argument(help: "The tenant's slug.") var slug: String
    @Argument(help: "The CSV file.") var file: String
    @Flag(name: .customLong("dry-run"), help: "Check every row and report what would happen, then roll back.")
    var dryRun = false
    @Option(help: "Import the good rows and write the bad ones to this CSV file.") var rejects: String?

    func run() async throws {
        try await reportingFailures(database, connections: 2) { db in
            let tenant = try await TenantRegistry(database: db).find(slug)
            let display = ImportProgressDisplay(kind: kind, file: file)
            let summary: ImportSummary
            do {
                summary = try await Importer(database: db, tenant: tenant).run(
                    kind, path: file, options: ImportOptions(dryRun: dryRun, rejectsPath: rejects, actor: adminActor()),
                    progress: display.update)
                display.finish()
            } catch {
                display.finish()
                throw error
            }
            try print(summary)
        }
    }

    private func print(_ summary: ImportSummary) throws {
        switch output.format {
        case .json:
            try printJSON(summary)
        case .csv:
            printTable(
                Table(
                    headers: ["kind", "file", "rows_read", "inserted", "unchanged", "rejected", "dry_run", "rejects_file", "seconds"],
                    rows: [[summary.kind.rawValue, summary.file, String(summary.rowsRead), String(summary.inserted),
                            String(summary.unchanged), String(summary.rejected), String(summary.dryRun),
                            summary.rejectsFile ?? "", String(format: "%.3f", summary.seconds)]]),
                format: .csv)
        case .table:
            printOut(Self.sentence(summary) + "\n")
        }
    }

    /// "invoices.csv: 1,000 rows read, 998 inserted, 0 unchanged, 2 rejected (written to bad.csv) in 1.2 s".
    static func sentence(_ s: ImportSummary) -> String {
        if s.rowsRead == 0 { return "\(s.file): no rows after the header; nothing to import" }
        let rate = s.seconds > 0 ? ", \(grouped(Int(Double(s.rowsRead) / s.seconds))) rows/s" : ""
        var text = "\(s.file): \(grouped(s.rowsRead)) rows read, "
        text += s.dryRun ? "\(grouped(s.inserted)) would be inserted" : "\(grouped(s.inserted)) inserted"
        text += ", \(grouped(s.unchanged)) unchanged, \(grouped(s.rejected)) rejected"
        if let file = s.rejectsFile { text += " (written to \(file))" }
        text += " in \(String(format: "%.1f", s.seconds)) s\(rate)"
        if s.dryRun { text += "; dry run: nothing was written to the database" }
        return text
    }
}

func grouped(_ number: Int) -> String { Thousands.grouped(number) }

/// Progress on stderr: on a terminal one line refreshed in place (rows, rows/s,
/// ETA from the bytes read); otherwise a plain line every 100,000 rows.
final class ImportProgressDisplay: @unchecked Sendable {
    // Safe: every stored property is read and written only while holding `lock`.
    private let lock = NSLock()
    private let terminal = isatty(2) == 1
    private let kind: ImportKind
    private let file: String
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var lastLoggedRows = 0
    private var phase: ImportProgress.Phase?
    private var drawn = false

    init(kind: ImportKind, file: String) {
        self.kind = kind
        self.file = file
    }

    func update(_ progress: ImportProgress) {
        lock.withLock {
            let now = ContinuousClock.now
            let seconds = Importer.seconds(since: started)
            let phaseChanged = progress.phase != phase
            phase = progress.phase
            if terminal {
                guard phaseChanged || now - lastDraw >= .milliseconds(200) else { return }
                lastDraw = now
                write("\r\u{1B}[K" + line(progress, seconds: seconds))
                drawn = true
            } else if progress.phase == .reading {
                guard progress.rows >= lastLoggedRows + 100_000 else { return }
                lastLoggedRows = progress.rows - progress.rows % 100_000
                write("collections-admin: import: " + line(progress, seconds: seconds) + "\n")
            } else if phaseChanged, progress.rows >= 100_000 {
                write("collections-admin: import: " + line(progress, seconds: seconds) + "\n")
            }
        }
    }

    private func line(_ progress: ImportProgress, seconds: Double) -> String {
        switch progress.phase {
        case .reading:
            var text = "\(file): \(grouped(progress.rows)) rows read"
            if seconds > 0.5 { text += ", \(grouped(Int(Double(progress.rows) / seconds))) rows/s" }
            if let total = progress.totalBytes, total > 0 {
                let done = Double(progress.bytesRead) / Double(total)
                text += String(format: ", %.0f%%", done * 100)
                if done > 0.01, done < 1, seconds > 1 {
                    text += ", ETA \(Self.duration(seconds * (1 - done) / done))"
                }
            }
            return text
        case .checking:
            return "\(file): checking \(grouped(progress.rows)) rows"
        case .writing:
            return "\(file): writing \(kind.rawValue) (\(grouped(progress.rows)) rows)"
        case .rejects:
            return "\(file): writing the \(grouped(progress.rows)) rejected rows"
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole) s" : "\(whole / 60) min \(whole % 60) s"
    }

    /// Clears the progress line, so what follows starts on a clean line.
    func finish() {
        lock.withLock {
            if drawn { write("\r\u{1B}[K") }
            drawn = false
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
