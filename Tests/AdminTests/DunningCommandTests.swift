import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// `tenant dunning`, `client hold|consent`, the clients file's contact columns and
/// `report dunning-plan`, through the binary as the admin login.
@Suite struct DunningCommandTests {
    static let database = Task<TestDatabase, any Error> { try await TestDatabase.migrated("dunningcli") }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.database.value.url(as: .admin))
    }

    func lender() async throws -> String {
        let slug = "dunning-\(UInt32.random(in: 0...UInt32.max))"
        let created = try await admin("tenant", "create", slug, "--name", "Cash Store", "--timezone", "America/Chicago")
        try #require(created.status == 0, "\(created.stderr)")
        return slug
    }

    func file(_ text: String, _ ext: String = "json") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dunning-\(UUID().uuidString).\(ext)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aPolicyIsShownSetAsANewVersionAndABadOneIsRefusedInWords() async throws {
        let slug = try await lender()
        // Version 1: the tenant's reminder days as email steps.
        let shown = try await admin("tenant", "dunning", slug, "show", "--format", "json")
        #expect(shown.status == 0, "\(shown.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(first["version"] as? Int == 1)
        let names = (first["steps"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["3 days before due", "1 day past due", "7 days past due", "14 days past due", "30 days past due"])

        let policy = try file("""
            {"steps": [
              {"name": "due soon", "offset_days": -2, "channel": "email", "template": "before_due"},
              {"name": "text", "offset_days": 1, "channel": "sms", "template": "text_overdue", "applies_to": "consumer"},
              {"name": "letter", "offset_days": 30, "channel": "letter", "template": "demand",
               "minimum_balance": {"USD": "50.00", "JPY": "5000"}}
            ]}
            """)
        let set = try await admin("tenant", "dunning", slug, "set", policy)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("stored as version 2"))
        #expect(set.stdout.contains("50.00 USD, 5,000 JPY") || set.stdout.contains("5,000 JPY, 50.00 USD"), "\(set.stdout)")
        let again = try await admin("tenant", "dunning", slug, "set", policy)
        #expect(again.stdout.contains("unchanged: version 2 has these steps"), "\(again.stdout)")
        // What show prints can be set again, unchanged.
        let printed = try await admin("tenant", "dunning", slug, "show", "--format", "json")
        let roundTrip = try await admin("tenant", "dunning", slug, "set", try file(printed.stdout))
        #expect(roundTrip.stdout.contains("unchanged: version 2"), "\(roundTrip.stdout)\(roundTrip.stderr)")

        let refusals: [(String, String)] = [
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"fax\", \"template\": \"t\"}]}",
             "steps[1].channel: \"fax\" is not one of email, sms, letter, call"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 400, \"channel\": \"email\", \"template\": \"t\"}]}",
             "steps[1].offset_days: must be -60 to 365 days from the due date, not 400"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"email\", \"template\": \"t\"}, {\"name\": \"a\", \"offset_days\": 2, \"channel\": \"email\", \"template\": \"t\"}]}",
             "steps[2].name: \"a\" names two steps"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"email\", \"template\": \"t\"}, {\"name\": \"b\", \"offset_days\": 1, \"channel\": \"email\", \"template\": \"t\"}]}",
             "steps[2]: steps[1] already sends email on day 1"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"email\", \"template\": \"t\", \"minimum_balance\": {\"USD\": \"10.001\"}}]}",
             "steps[1].minimum_balance.USD: 10.001 has more decimals than USD allows (2)"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"email\"}]}", "steps[1].template: is required"),
            ("{\"steps\": [{\"name\": \"a\", \"offset_days\": 1, \"channel\": \"email\", \"template\": \"Has Space\"}]}",
             "steps[1].template: must be 1-64 of a-z, 0-9, _ and -"),
            ("{\"step\": []}", "the policy has no \"steps\""),
            ("not json", "the policy is not JSON"),
        ]
        for (text, reason) in refusals {
            let path = try file(text)
            let refused = try await admin("tenant", "dunning", slug, "set", path)
            #expect(refused.status == 1, "\(text)")
            #expect(refused.stderr.hasPrefix("collections-admin: error: \(path): \(reason)"), "\(text): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
        }
        let still = try await admin("tenant", "dunning", slug, "show", "--format", "json")
        #expect(still.stdout == printed.stdout, "a refused policy changed nothing")
        let missing = try await admin("tenant", "dunning", slug, "set")
        #expect(missing.status == 64)
    }

    @Test func holdsAndConsentsAreRecordedListedAndEnded() async throws {
        let slug = try await lender()
        let clients = try file("ref,name,email,phone,kind,time_zone,sms_consent\nB1,Ann Borrower,ann@example.com,+1-555-0101,consumer,Pacific/Honolulu,yes\n", "csv")
        let imported = try await admin("import", "clients", slug, clients)
        #expect(imported.status == 0, "\(imported.stderr)")

        let placed = try await admin("client", "hold", "place", slug, "B1", "--kind", "attorney", "--from", "2026-03-01",
                                     "--note", "Saul Goodman, 505-503-4455", "--format", "json")
        #expect(placed.status == 0, "\(placed.stderr)")
        let hold = try #require((try JSONSerialization.jsonObject(with: Data(placed.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(hold["kind"] as? String == "attorney")
        #expect(hold["starts_on"] as? String == "2026-03-01")
        let id = try #require(hold["id"] as? String)
        let early = try await admin("client", "hold", "end", slug, id, "--on", "2026-03-01")
        #expect(early.status == 1)
        #expect(early.stderr.contains("a hold that starts on 2026-03-01 can end on 2026-03-02 at the earliest, not 2026-03-01"))
        let ended = try await admin("client", "hold", "end", slug, id, "--on", "2026-03-20")
        #expect(ended.status == 0, "\(ended.stderr)")
        let twice = try await admin("client", "hold", "end", slug, id, "--on", "2026-03-21")
        #expect(twice.stderr.contains("the hold ended on 2026-03-20 already"))
        let listed = try await admin("client", "hold", "list", slug, "B1")
        #expect(listed.stdout.contains("attorney") && listed.stdout.contains("2026-03-20"))

        // The import recorded the consent to texts; a revocation is the latest record.
        let revoked = try await admin("client", "consent", "revoke", slug, "B1", "--channel", "sms", "--source", "phone call")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let records = try await admin("client", "consent", "list", slug, "B1", "--format", "json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(records.stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["granted"] as? Bool } == [false, true])
        #expect(list.map { $0["source"] as? String } == ["phone call", "import"])
        #expect(list.last?["address"] as? String == "+1-555-0101")

        let unknown = try await admin("client", "hold", "place", slug, "NOBODY", "--kind", "deceased")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "collections-admin: error: no client with ref \"NOBODY\"\n")
        let badKind = try await admin("client", "hold", "place", slug, "B1", "--kind", "vacation")
        #expect(badKind.status == 64)
    }

    @Test func theClientsFileCarriesKindTimeZoneAndConsentAndRefusesAnUnknownZone() async throws {
        let slug = try await lender()
        let good = try file("""
            ref,name,email,kind,time_zone,sms_consent
            K1,Kai,kai@example.com,Consumer,Pacific/Honolulu,YES
            K2,Kathmandu Traders,k2@example.com,commercial,Asia/Kathmandu,no
            K3,Default Dan,,,,
            """, "csv")
        let first = try await admin("import", "clients", slug, good)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try await admin("import", "clients", slug, good)
        #expect(again.status == 0, "re-importing changes nothing: \(again.stderr)")
        let service = CollectionsDatabase(configuration: try await Self.database.value.configuration(as: .admin))
        let tenant = try await TenantRegistry(database: service).find(slug)
        let clients = Clients(database: service, tenant: tenant.id)
        #expect(try await clients.get("K1").kind == .consumer)
        #expect(try await clients.get("K1").timeZone == "Pacific/Honolulu")
        #expect(try await clients.get("K3").kind == nil)
        let consents = ContactPermissions(database: service, tenant: tenant.id)
        #expect(try await consents.list(clientRef: "K1").map(\.granted) == [true])
        #expect(try await consents.list(clientRef: "K2").isEmpty)

        let bad = try file("""
            ref,name,kind,time_zone,sms_consent
            K4,Mars,consumer,Mars/Olympus,yes
            K5,Maybe,person,UTC,maybe
            K1,Kai,consumer,Pacific/Honolulu,no
            """, "csv")
        let refused = try await admin("import", "clients", slug, bad)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(bad):2: column time_zone: unknown time zone \"Mars/Olympus\": use an IANA name such as America/Chicago"), "\(refused.stderr)")
        #expect(refused.stderr.contains("\(bad):3: column kind: \"person\" is not one of consumer, commercial"), "\(refused.stderr)")
        #expect(refused.stderr.contains("\(bad):3: column sms_consent: \"maybe\" is not one of yes, no"), "\(refused.stderr)")
        #expect(refused.stderr.contains("\(bad):4: column ref: client K1 already exists with different details: sms_consent no here, yes stored"), "\(refused.stderr)")
        #expect((try? await clients.get("K4")) == nil, "nothing of a refused file is written")
        await service.close()
    }

    @Test func theDunningPlanReportListsMessagesAndSuppressionsWithTheirRules() async throws {
        let slug = try await lender()
        let clients = try file("ref,name,email\nP1,Paying Pat,pat@example.com\nP2,Quiet Quinn,quinn@example.com\n", "csv")
        #expect(try await admin("import", "clients", slug, clients).status == 0)
        let invoices = try file("""
            client_ref,number,currency,amount,issued_on,due_on
            P1,INV-1,USD,100.00,2026-01-01,2026-02-01
            P1,INV-2,USD,50.00,2026-01-01,2026-02-01
            P2,INV-3,USD,75.00,2026-01-01,2026-02-01
            """, "csv")
        #expect(try await admin("import", "invoices", slug, invoices).status == 0)
        #expect(try await admin("client", "hold", "place", slug, "P2", "--kind", "cease_communication", "--from", "2026-01-15").status == 0)

        let json = try await admin("report", "dunning-plan", slug, "--as-of", "2026-02-02", "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(plan["tenant"] as? String == slug)
        #expect(plan["as_of"] as? String == "2026-02-02")
        #expect(plan["policy_version"] as? Int == 1)
        let messages = try #require(plan["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages.first?["client_ref"] as? String == "P1")
        #expect(messages.first?["channel"] as? String == "email")
        #expect(messages.first?["step"] as? String == "1 day past due")
        #expect(messages.first?["invoices"] as? [String] == ["INV-1", "INV-2"])
        #expect(messages.first?["currency"] as? String == "USD")
        #expect(messages.first?["amount_minor"] as? Int == 15_000)
        let suppressed = try #require(plan["suppressed"] as? [[String: Any]])
        #expect(suppressed.count == 1)
        #expect(suppressed.first?["rule"] as? String == "hold_cease_communication")
        #expect(suppressed.first?["reason"] as? String == "client P2 asked to cease communication on 2026-01-15")

        let table = try await admin("report", "dunning-plan", slug, "--as-of", "2026-02-02")
        #expect(table.stdout.contains("policy version 1, not run yet"))
        #expect(table.stdout.contains("messages: 1 (1 by email); suppressed: 1 (1 hold_cease_communication)"))
        #expect(table.stdout.contains("08:00-21:00 America/Chicago"))
    }
}
