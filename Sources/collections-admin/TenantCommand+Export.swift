import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

extension TenantCommand {
    /// `tenant export SLUG DIR`: the tenant's data as files, for the lender to
    /// take away or for another instance to import, before `tenant delete`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a tenant's data to a new folder: the import files, its notes, and every table as JSON lines.",
            discussion: """
                clients.csv, invoices.csv, payments.csv and notes.csv have the import files' columns, so
                `import` reads them back into another tenant; every tenant table is also written whole as
                TABLE.jsonl (disputes, write-offs, charges, reversals, plans, placements, holds, consents,
                the audit log...), with no secret (webhook secrets, API key hashes). The CSV cells are
                verbatim, as stored: open them in a spreadsheet only as text. DIR must not exist or be
                empty; it is made mode 700, its files 600 (they hold personal data). One transaction:
                every file is the same moment's.
                """)
        @OptionGroup var options: TenantOptions
        @Argument(help: "The folder to write (missing or empty).") var folder: String

        func run() async throws {
            try await options.withDatabase { db in
                let url = URL(fileURLWithPath: folder)
                let made = try Self.checkEmpty(url)
                let files = try await TenantExport(database: db).files(options.slug)
                try Self.write(files, to: url, made: made, slug: options.slug)
                struct Exported: Encodable { var tenant: String; var folder: String; var files: [String: Int] }
                let exported = Exported(
                    tenant: options.slug, folder: url.path,
                    files: Dictionary(files.map { ($0.name, $0.count) }, uniquingKeysWith: +))
                try emit(exported, format: options.format, table: {
                    Table(headers: ["file", "records"], rows: files.map { [$0.name, String($0.count)] }, numeric: [1])
                })
            }
        }

        /// Refuses a file, or a folder with anything in it; true when the folder
        /// is missing (and so is to be made).
        static func checkEmpty(_ url: URL) throws -> Bool {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return true }
            guard isFolder.boolValue else { throw ServiceError(.refused, "\(url.path) is a file, not a folder; nothing was written") }
            let entries = try FileManager.default.contentsOfDirectory(atPath: url.path)
            guard entries.isEmpty else { throw ServiceError(.refused, "\(url.path) is not empty; nothing was written") }
            return false
        }

        /// Every file or none: a failure part-way removes what was written.
        static func write(_ files: [TenantExportFile], to url: URL, made: Bool, slug: String) throws {
            let manager = FileManager.default
            if made {
                do {
                    try manager.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw ServiceError(.refused, "cannot make the folder \(url.path): \((error as NSError).localizedDescription)")
                }
            }
            var written: [URL] = []
            do {
                for file in files {
                    let target = url.appendingPathComponent(file.name)
                    let text: String
                    switch file.content {
                    case .table(let headers, let rows): text = Table(headers: headers, rows: rows).csv(defusingFormulas: false)
                    case .jsonLines(let lines): text = lines.map { $0 + "\n" }.joined()
                    }
                    guard manager.createFile(atPath: target.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                        throw ServiceError(.refused, "cannot write \(target.path); nothing was kept")
                    }
                    written.append(target)
                }
            } catch {
                for file in written { try? manager.removeItem(at: file) }
                if made { try? manager.removeItem(at: url) }
                throw error
            }
        }
    }
}
