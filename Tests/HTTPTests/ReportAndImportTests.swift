import CollectionsDemo
import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Postgres
import Testing
import TestSupport

/// IBM's sample imported over HTTP gives the rows and KPIs the CLI import
/// gives; the report routes answer exactly the bytes `collections-admin report
/// ... --format json` prints for the same tenant and day.
@Suite struct ReportAndImportTests {
    static let sampleURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/ibm-accounts-receivable.csv").standardizedFileURL

    func cli(_ tool: String, _ arguments: [String], _ fixture: HTTPFixture) async throws -> String {
        let result = try await Executable.run(
            tool, arguments, databaseURL: fixture.service.database.url(as: tool == "collections-worker" ? .worker : .admin))
        try #require(result.status == 0, "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    @Test func theIBMSampleOverHTTPGivesTheCLIsRowsAndKPIsAndTheReportsAreTheCLIsBytes() async throws {
        let fixture = try await HTTPFixture.make("http_ibm")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("http-ibm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try IBMSample(path: Self.sampleURL.path).writeImportFiles(to: folder)
        let overHTTP = fixture.a.tenant
        let throughCLI = fixture.b.tenant

        try await fixture.test { client in
            for (kind, path, count) in [("clients", files.clients, 100), ("invoices", files.invoices, 2466), ("payments", files.payments, 2466)] {
                let csv = try Data(contentsOf: URL(fileURLWithPath: path))
                let dry = try await client.executeRequest(
                    uri: "/v1/imports/\(kind)?dry_run=true", method: .post,
                    headers: [.authorization: "Bearer \(fixture.a.key)", .contentType: "text/csv"], body: ByteBuffer(bytes: csv))
                #expect(dry.status == .ok, "\(kind) dry run: \(dry.text)")
                #expect(try dry.json()["dry_run"] as? Bool == true)
                let response = try await client.executeRequest(
                    uri: "/v1/imports/\(kind)", method: .post,
                    headers: [.authorization: "Bearer \(fixture.a.key)", .contentType: "text/csv"], body: ByteBuffer(bytes: csv))
                #expect(response.status == .ok, "\(kind): \(response.text)")
                let summary = try response.json()
                #expect(summary["inserted"] as? Int == count, "\(kind): \(summary)")
                #expect(summary["rejected"] as? Int == 0)
                _ = try await cli("collections-admin", ["import", kind, throughCLI.slug, path, "--format", "json"], fixture)
            }
        }

        // The same rows.
        let db = fixture.service.service
        func rows(_ tenant: Tenant) async throws -> [String] {
            var lines: [String] = []
            var cursor: String?
            repeat {
                let page = try await Invoices(database: db, tenant: tenant.id).list(InvoiceFilter(asOf: CalendarDate("2013-12-31")!), after: cursor, limit: 100)
                lines += page.items.map { "\($0.invoice.clientRef) \($0.invoice.number) \($0.invoice.amountMinor) \($0.invoice.dueOn) \($0.balance.amountMinor) \($0.status)" }
                cursor = page.nextCursor
            } while cursor != nil
            cursor = nil
            repeat {
                let page = try await Payments(database: db, tenant: tenant.id).list(after: cursor, limit: 100)
                lines += page.items.map { "\($0.clientRef) \($0.reference) \($0.amount.amountMinor) \($0.receivedOn)" }
                cursor = page.nextCursor
            } while cursor != nil
            return lines
        }
        let httpRows = try await rows(overHTTP)
        #expect(httpRows.count == 2466 * 2)
        #expect(httpRows == (try await rows(throughCLI)))

        // The same KPIs and ageing, and the report routes answer the CLI's bytes.
        for day in ["2013-06-30", "2013-12-31"] {
            for tenant in [overHTTP, throughCLI] {
                _ = try await cli("collections-worker", ["run", "--tenant", tenant.slug, "--as-of", day], fixture)
            }
            try await fixture.test { client in
                for report in ["ageing", "kpis", "worklist", "reminders", "dunning-plan", "deliveries"] {
                    let response = try await client.send(.get, "/v1/reports/\(report)?as_of=\(day)", as: fixture.a)
                    #expect(response.status == .ok, "\(report): \(response.text)")
                    #expect(response.headers[.contentType] == "application/json")
                    let printed = try await cli("collections-admin", ["report", report, overHTTP.slug, "--as-of", day, "--format", "json"], fixture)
                    #expect(response.text == printed, "\(report) \(day): the HTTP answer is not the CLI's bytes")
                    let other = try await cli("collections-admin", ["report", report, throughCLI.slug, "--as-of", day, "--format", "json"], fixture)
                    #expect(response.text == other.replacingOccurrences(of: throughCLI.slug, with: overHTTP.slug),
                            "\(report) \(day): the HTTP import's report differs from the CLI import's")
                }
                let kpis = try await client.send(.get, "/v1/reports/kpis?as_of=\(day)", as: fixture.a).json()
                let usd = try #require((kpis["currencies"] as? [[String: Any]])?.first)
                #expect((usd["ar_minor"] as? Int ?? 0) > 0)
            }
        }
        // Without as_of: the latest stored day, as the CLI.
        try await fixture.test { client in
            let latest = try await client.send(.get, "/v1/reports/kpis", as: fixture.a)
            let printed = try await cli("collections-admin", ["report", "kpis", overHTTP.slug, "--format", "json"], fixture)
            #expect(latest.text == printed)
        }
    }
}
