import CollectionsImport
import CollectionsService
import Foundation
import HTTPTypes
import OpenAPIRuntime

extension APIServer {
    /// A CSV import over HTTP: the body is written to a private temporary file
    /// (mode 0600, removed after) and imported by the CLI's `Importer`, so the
    /// rules, the messages and all-or-nothing are the CLI's. The file is named
    /// after its kind in messages (`invoices.csv:12: column amount: ...`).
    func importFile(_ input: Operations.ImportFile.Input) async throws -> Operations.ImportFile.Output {
        guard case .csv(let body) = input.body else { throw Problem.badRequest("body", "must be text/csv") }
        guard let kind = ImportKind(rawValue: input.path.kind.rawValue) else { throw Problem.notFound("import kind") }
        let tenantID = try tenant()
        let tenant = try await Tenant.own(tenantID, database: database)
        let bytes = try await Data(collecting: body, upTo: .max)
        let directory = FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("collections-import-\(UUID().uuidString).csv")
        guard FileManager.default.createFile(atPath: file.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw Problem(.internalServerError, "internal", detail: "the upload could not be staged; nothing was imported")
        }
        defer { try? FileManager.default.removeItem(at: file) }
        let summary = try await Importer(database: database, tenant: tenant).run(
            kind, path: file.path, name: "\(kind.rawValue).csv",
            options: ImportOptions(dryRun: input.query.dryRun ?? false, actor: Self.actor))
        return .ok(.init(body: .json(.init(
            kind: summary.kind.rawValue, rowsRead: summary.rowsRead, inserted: summary.inserted, unchanged: summary.unchanged,
            rejected: summary.rejected, dryRun: summary.dryRun))))
    }
}
