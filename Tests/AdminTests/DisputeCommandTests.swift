import Foundation
import Testing
import TestSupport

/// `dispute open|resolve|list` as an operator runs them: the amount in the
/// invoice's currency, refusals one line on stderr with exit 1 and nothing written.
@Suite struct DisputeCommandTests {
    static let database = Task<TestDatabase, any Error> { try await TestDatabase.migrated("disputecli") }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.database.value.url(as: .admin))
    }

    func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("disputecli-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func refused(_ result: CommandResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("collections-admin: error: ") && result.stderr.contains(message), "\(result.stderr)",
                sourceLocation: sourceLocation)
    }

    @Test func openResolveAndListFromTheCommandLine() async throws {
        let slug = "dispute-\(UInt32.random(in: 0...UInt32.max))"
        #expect(try await admin("tenant", "create", slug, "--name", "Lender").status == 0)
        #expect(try await admin("import", "clients", slug, try file("ref,name\nC1,One\n")).status == 0)
        let invoices = try file("client_ref,number,currency,amount,issued_on,due_on\nC1,I-1,EUR,100.00,2024-01-01,2024-01-31\n")
        #expect(try await admin("import", "invoices", slug, invoices).status == 0)

        refused(try await admin("dispute", "open", slug, "I-1", "--on", "2024-02-01", "--reason", "too dear", "--amount", "100.01"),
                "invoice I-1 owes 100.00 EUR on 2024-02-01; cannot dispute 100.01 EUR")
        let badCode = try await admin("dispute", "open", slug, "I-1", "--on", "2024-02-01", "--reason", "x", "--reason-code", "bored")
        #expect(badCode.status == 64, "\(badCode.stderr)")
        #expect(try await admin("dispute", "list", slug, "I-1").stdout == "no disputes\n")

        let opened = try await admin("dispute", "open", slug, "I-1", "--on", "2024-02-01", "--reason", "agreed 70.00",
                                     "--reason-code", "pricing", "--amount", "30.00", "--format", "json")
        #expect(opened.status == 0, "\(opened.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(opened.stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["reason_code"] as? String == "pricing")
        #expect(json.first?["amount_minor"] as? Int == 3_000)
        #expect(json.first?["outcome"] is NSNull, "present, null while open")

        let resolved = try await admin("dispute", "resolve", slug, "I-1", "--on", "2024-02-20", "--outcome", "credit_note",
                                       "--resolution", "credited 30.00")
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(resolved.stdout.contains("credit_note") && resolved.stdout.contains("30.00 EUR"), "\(resolved.stdout)")
        refused(try await admin("dispute", "resolve", slug, "I-1", "--on", "2024-02-21", "--outcome", "rejected", "--resolution", "x"),
                "invoice I-1 has no open dispute to resolve")
        let summary = try await admin("dispute", "summary", slug, "--as-of", "2024-02-25", "--format", "csv")
        #expect(summary.stdout.contains("credit_note,pricing,EUR,1,30.00 EUR"), "\(summary.stdout)")
        let before = try await admin("dispute", "summary", slug, "--as-of", "2024-02-19", "--format", "csv")
        #expect(before.stdout.contains("open,pricing,EUR,1,30.00 EUR"), "\(before.stdout)")
        let listed = try await admin("dispute", "list", slug, "I-1")
        #expect(listed.stdout.contains("pricing: agreed 70.00") && listed.stdout.contains("2024-02-20"), "\(listed.stdout)")
        // The credit note took 30.00 off: 70.00 left, and it is not bad debt.
        let worker = try await Executable.run("collections-worker", ["run", "--tenant", slug, "--as-of", "2024-02-29"],
                                              databaseURL: try await Self.database.value.url(as: .worker))
        #expect(worker.status == 0, "\(worker.stderr)")
        let kpis = try await admin("report", "kpis", slug, "--as-of", "2024-02-29", "--format", "json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(kpis.stdout.utf8)) as? [String: Any])
        let currency = try #require((report["currencies"] as? [[String: Any]])?.first)
        #expect(currency["ar_minor"] as? Int == 7_000, "\(kpis.stdout)")
        #expect(currency["write_offs_minor"] as? Int == 0, "\(kpis.stdout)")
    }
}
