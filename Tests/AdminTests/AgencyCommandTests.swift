import Foundation
import Testing
import TestSupport

/// `agency`, `placement` and `report agencies` as an operator runs them: refusals
/// are one line on stderr with exit 1, the commission is half-even.
@Suite struct AgencyCommandTests {
    static let database = Task<TestDatabase, any Error> { try await TestDatabase.migrated("agencycli") }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.database.value.url(as: .admin))
    }

    func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("agencycli-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func refused(_ result: CommandResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("collections-admin: error: ") && result.stderr.contains(message), "\(result.stderr)",
                sourceLocation: sourceLocation)
    }

    @Test func placeRemitReportAndRecallFromTheCommandLine() async throws {
        let slug = "agency-\(UInt32.random(in: 0...UInt32.max))"
        #expect(try await admin("tenant", "create", slug, "--name", "Lender").status == 0)
        #expect(try await admin("import", "clients", slug, try file("ref,name\nC1,One\n")).status == 0)
        let invoices = try file("client_ref,number,currency,amount,issued_on,due_on\nC1,I-1,USD,100.00,2024-01-01,2024-01-31\nC1,I-2,USD,50.00,2024-01-01,2024-01-31\n")
        #expect(try await admin("import", "invoices", slug, invoices).status == 0)

        let created = try await admin("agency", "create", slug, "Recoveries Inc", "--commission-bp", "1250")
        #expect(created.status == 0 && created.stdout.contains("1250"), "\(created.stderr)")
        refused(try await admin("agency", "create", slug, "Recoveries Inc", "--commission-bp", "1000"), "exists already")
        refused(try await admin("agency", "create", slug, "Greedy", "--commission-bp", "10001"), "0 to 10000 basis points")
        refused(try await admin("placement", "create", slug, "C1", "--agency", "Recoveries Inc", "--invoices", "I-9"),
                "client C1 has no invoice I-9")
        refused(try await admin("placement", "create", slug, "C1", "--agency", "Nobody"), "no agency Nobody")

        let placed = try await admin("placement", "create", slug, "C1", "--agency", "Recoveries Inc", "--invoices", "I-1",
                                     "--on", "2024-02-01", "--format", "json")
        #expect(placed.status == 0, "\(placed.stderr)")
        let placement = try #require(try JSONSerialization.jsonObject(with: Data(placed.stdout.utf8)) as? [String: Any])
        let id = try #require(placement["id"] as? String)
        refused(try await admin("placement", "create", slug, "C1", "--agency", "Recoveries Inc", "--invoices", "I-2"),
                "client C1 is already placed with Recoveries Inc")

        // 1.00 at 12.5%: 12.5 cents, to the even 12.
        let remitted = try await admin("placement", "remit", slug, id, "--reference", "AG-1", "--amount", "1.00",
                                       "--currency", "USD", "--received-on", "2024-02-05")
        #expect(remitted.status == 0, "\(remitted.stderr)")
        #expect(remitted.stdout.contains("0.12"), "\(remitted.stdout)")
        let listed = try await admin("placement", "list", slug)
        #expect(listed.stdout.contains("C1") && listed.stdout.contains("I-1") && listed.stdout.contains("1.00"), "\(listed.stdout)")

        let report = try await admin("report", "agencies", slug, "--as-of", "2024-02-28", "--format", "json")
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["agencies"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect((rows.first?["recovery_rate"] as? Double) == 1.0, "\(report.stdout)")  // 100 x 100 / 10000 (%)
        #expect((rows.first?["commission_minor"] as? Int) == 12, "\(report.stdout)")

        let key = try await admin("agency", "key", slug, "Recoveries Inc")
        #expect(key.status == 0 && key.stdout.contains("ck_"), "\(key.stderr)")
        refused(try await admin("agency", "key", slug, "Nobody"), "has no agency Nobody")

        #expect(try await admin("placement", "recall", slug, id, "--on", "2024-03-01").status == 0)
        refused(try await admin("placement", "recall", slug, id), "was recalled on 2024-03-01 already")
        refused(try await admin("placement", "recall", slug, "not-an-id"), "no placement not-an-id")
    }
}
