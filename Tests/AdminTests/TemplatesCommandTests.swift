import Foundation
import Testing
import TestSupport

/// `tenant templates`, `tenant configure --email-from` and `report deliveries`,
/// through the binary as the admin login.
@Suite struct TemplatesCommandTests {
    static let database = Task<TestDatabase, any Error> { try await TestDatabase.migrated("templatescli") }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.database.value.url(as: .admin))
    }

    func lender() async throws -> String {
        let slug = "tpl-\(UInt32.random(in: 0...UInt32.max))"
        let created = try await admin("tenant", "create", slug, "--name", "Cash Store", "--timezone", "America/Chicago")
        try #require(created.status == 0, "\(created.stderr)")
        return slug
    }

    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func templatesAreSetShownAndABrokenOneIsRefusedWithWhereAndNothingChanges() async throws {
        let slug = try await lender()
        // Before any is set: the built-in wording of the names the policy uses.
        let builtIn = try await admin("tenant", "templates", slug, "show", "--format", "json")
        #expect(builtIn.status == 0, "\(builtIn.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(builtIn.stdout.utf8)) as? [String: Any])
        let sources = (first["templates"] as? [[String: Any]])?.compactMap { $0["source"] as? String }
        #expect(sources?.isEmpty == false)
        #expect(sources?.allSatisfy { $0 == "built-in" } == true)

        let good = try file("""
            {"templates": [{"name": "reminder_due", "subject": "{{lender}}: {{total}} due today",
              "text": "Dear {{client_name}},\\n{{#invoices}}{{number}}: {{balance}}\\n{{/invoices}}{{opt_out_url}}",
              "sms": "{{lender}}: {{total}} due today. Reply STOP to opt out."}]}
            """)
        let set = try await admin("tenant", "templates", slug, "set", good, "--format", "json")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("\"source\" : \"tenant\"") || set.stdout.contains("\"source\":\"tenant\""))

        for (text, said) in [
            (#"{"templates": [{"name": "reminder_due", "subject": "x", "text": "{{#invoices}}{{number}}", "sms": "y"}]}"#,
             "reminder_due.text: line"),
            (#"{"templates": [{"name": "reminder_due", "subject": "{{lendr}}", "text": "t", "sms": "y"}]}"#,
             "reminder_due.subject: {{lendr}} is not a name a message has"),
            (#"{"templates": [{"name": "reminder_due", "subject": "s", "text": "t", "sms": "{{#invoices}}\#(String(repeating: "x", count: 160)){{/invoices}}"}]}"#,
             "reminder_due.sms: renders 480 characters with 3 invoices, more than 459"),
            (#"{"templates": [{"name": "reminder_due", "subject": "s", "text": "t"}]}"#, "templates[1].sms is missing"),
        ] {
            let refused = try await admin("tenant", "templates", slug, "set", try file(text))
            #expect(refused.status == 1)
            #expect(refused.stderr.contains(said), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
        }
        let after = try await admin("tenant", "templates", slug, "show", "--format", "json")
        #expect(after.stdout.contains("{{lender}}: {{total}} due today"), "the good templates stay")
    }

    @Test func aTenantsSendingAddressIsSetAndABadOneRefused() async throws {
        let slug = try await lender()
        let set = try await admin("tenant", "configure", slug, "--email-from", "dunning@cash.example", "--format", "json")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("dunning@cash.example"))
        let bad = try await admin("tenant", "configure", slug, "--email-from", "not an address")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("the sending address must be one address"), "\(bad.stderr)")
    }

    @Test func aDayWithNothingQueuedReportsNoDeliveries() async throws {
        let slug = try await lender()
        let report = try await admin("report", "deliveries", slug, "--as-of", "2026-03-10", "--format", "json")
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(json["as_of"] as? String == "2026-03-10")
        #expect((json["counts"] as? [String: Int])?["queued"] == 0)
        let table = try await admin("report", "deliveries", slug, "--as-of", "2026-03-10")
        #expect(table.stdout.contains("nothing queued, sent or suppressed on 2026-03-10"))
    }
}
