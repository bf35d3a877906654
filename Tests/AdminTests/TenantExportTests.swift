import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// `collections-admin tenant export`, run as an operator runs it: a realistic book
/// (IBM's sample, with notes, promises, consents and payments the importer
/// places itself) exported, imported into a fresh tenant, and found the same.
@Suite struct TenantExportTests {
    static let fixture = Task { try await ServiceFixture.make("tenantexport") }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.fixture.value.database.url(as: .admin))
    }

    func folder(_ name: String = "export") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }

    func importFile(_ kind: String, _ file: URL, into tenant: Tenant) async throws {
        let result = try await admin("import", kind, tenant.slug, file.path, "--format", "json")
        try #require(result.status == 0, "import \(kind): \(result.stderr)")
    }

    /// IBM's sample, plus what it lacks: a client with a phone a spreadsheet would
    /// take for a formula and a consent to texts, notes with promises and awkward
    /// bodies, a payment spread over two invoices and one left as credit.
    func book() async throws -> Tenant {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("exp")
        let sample = try IBMSampleTests.writeImportFiles(try IBMSampleTests.sample())
        let extra = folder("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        let files = [
            "clients.csv": """
                ref,name,email,phone,payment_terms_days,credit_limit,currency,kind,time_zone,sms_consent
                X-1,"Formula, Ltd",ap@formula.example,+1-555-0100,15,2500.50,USD,consumer,America/Chicago,yes
                X-2,=cmd|' /C calc'!A0,,,30,,USD,commercial,,no
                """,
            "invoices.csv": """
                client_ref,number,currency,amount,issued_on,due_on
                X-1,X-INV-1,USD,100.00,2013-03-01,2013-03-16
                X-1,X-INV-2,USD,250.25,2013-04-01,2013-04-16
                X-2,X-INV-3,USD,80.00,2013-05-01,
                """,
            "payments.csv": """
                client_ref,reference,currency,amount,received_on,invoice_number
                X-1,X-PAY-1,USD,300.00,2013-05-01,
                X-2,X-PAY-2,USD,20.00,2013-04-01,
                """,
            "notes.csv": """
                client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction
                X-1,2013-04-20T14:05:06.123456Z,call,ann,"Promised; said ""next week""
                on two lines",promise_to_pay,150.00,2013-04-30,4
                X-1,2013-05-02 09:00:00+02,email,,=SUM(A1:A9),other,,,
                X-2,2013-05-03,sms,bob,-not a number,no_answer,,,1
                """,
        ]
        for (name, text) in files { try Data((text + "\n").utf8).write(to: extra.appendingPathComponent(name)) }
        for kind in ["clients", "invoices", "payments"] {
            try await importFile(kind, sample.appendingPathComponent("\(kind).csv"), into: tenant)
        }
        for kind in ["clients", "invoices", "payments", "notes"] {
            try await importFile(kind, extra.appendingPathComponent("\(kind).csv"), into: tenant)
        }
        return tenant
    }

    func export(_ tenant: Tenant) async throws -> URL {
        let target = folder()
        let result = try await admin("tenant", "export", tenant.slug, target.path, "--format", "json")
        try #require(result.status == 0, "\(result.stderr)")
        return target
    }

    func text(_ folder: URL, _ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func anExportImportedIntoAFreshTenantHasTheSameLedgerKPIsAndFiles() async throws {
        let fixture = try await Self.fixture.value
        let original = try await book()
        let exported = try await export(original)
        let copy = try await fixture.tenant("imp")
        for kind in ["clients", "invoices", "payments", "notes"] {
            try await importFile(kind, exported.appendingPathComponent("\(kind).csv"), into: copy)
        }
        // Live ageing and KPIs at dates across the sample's two years and after it.
        for day in ["2013-03-31", "2013-06-30", "2013-12-31", "2014-06-30", "2015-01-31"] {
            let asOf = try #require(CalendarDate(day))
            var ageing = (try await Ageing.compute(database: fixture.service, tenant: original, asOf: asOf),
                          try await Ageing.compute(database: fixture.service, tenant: copy, asOf: asOf))
            var kpis = (try await KPIs.compute(database: fixture.service, tenant: original, asOf: asOf),
                        try await KPIs.compute(database: fixture.service, tenant: copy, asOf: asOf))
            #expect(!ageing.0.currencies.isEmpty)
            ageing.1.tenant = ageing.0.tenant
            kpis.1.tenant = kpis.0.tenant
            #expect(ageing.0 == ageing.1, "ageing at \(day)")
            #expect(kpis.0 == kpis.1, "KPIs at \(day)")
        }
        // The copy's own export is the same files, byte for byte: every client's
        // details and consent, every invoice, where every payment went, every note.
        let again = try await export(copy)
        for name in ["clients.csv", "invoices.csv", "payments.csv", "notes.csv"] {
            #expect(try text(exported, name) == text(again, name), "\(name) differs after the round trip")
        }
        // What the copy stored is what the original did, not a defused text.
        let stored = try await fixture.service.withTenant(copy.id, readOnly: true) { tx in
            try await tx.query("""
                SELECT c.phone, c.name, n.body FROM clients c
                JOIN contact_notes n ON n.tenant_id = \(copy.id) AND n.client_id = c.id AND n.channel = 'email'
                WHERE c.tenant_id = \(copy.id) AND c.ref = 'X-1'
                """).decode((String, String, String).self)
        }
        #expect(stored.count == 1 && stored.first?.0 == "+1-555-0100" && stored.first?.2 == "=SUM(A1:A9)", "\(stored)")
        let clients = try text(exported, "clients.csv")
        let notes = try text(exported, "notes.csv")
        // Verbatim, not defused: a program reads these back.
        #expect(clients.contains(",+1-555-0100,"))
        #expect(clients.contains("X-2,=cmd|' /C calc'!A0,"))
        #expect(notes.contains(",=SUM(A1:A9),"))
        #expect(clients.contains("America/Chicago,yes"))
        #expect(notes.contains("X-1,2013-05-02T07:00:00.000000Z,email,"))
        let payments = try text(exported, "payments.csv")
        #expect(payments.contains("X-1,X-PAY-1,USD,300.00,2013-05-01,\n"), "a payment over two invoices names none")
        #expect(payments.contains("X-2,X-PAY-2,USD,20.00,2013-04-01,\n"), "a credit names no invoice")
        #expect(payments.split(separator: "\n").count == 2466 + 2 + 1)
    }

    @Test func everyTenantTableIsWrittenAsJSONLinesWithNoSecretAndNoOtherTenant() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("jsl")
        let other = try await fixture.tenant("oth")
        for t in [tenant, other] {
            let clients = folder("c")
            try FileManager.default.createDirectory(at: clients, withIntermediateDirectories: true)
            try Data("ref,name\nC-\(t.slug),Client of \(t.slug)\n".utf8).write(to: clients.appendingPathComponent("clients.csv"))
            try await importFile("clients", clients.appendingPathComponent("clients.csv"), into: t)
        }
        let key = try await ApiKeys(database: fixture.service).create(tenantSlug: tenant.slug, label: "lender", actor: "test")
        let exported = try await export(tenant)
        let tables = try await fixture.service.asRegistry { tx in
            try await tx.query("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                WHERE c.relkind IN ('r', 'p')
                """).map { try $0.decode(String.self, at: 0) }
        }
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: exported.path))
        #expect(names == Set(tables.map { "\($0).jsonl" } + ["clients.csv", "invoices.csv", "payments.csv", "notes.csv"]))
        let everything = try names.map { try text(exported, $0) }.joined()
        #expect(!everything.contains(key.secret) && !everything.contains("secret_hash") && !everything.contains("\"tenant_id\""))
        #expect(!everything.contains(other.slug), "another tenant's rows were exported")
        let clientLines = try text(exported, "clients.jsonl").split(separator: "\n")
        #expect(clientLines.count == 1 && clientLines[0].contains("\"ref\": \"C-\(tenant.slug)\""))
        #expect(try text(exported, "api_keys.jsonl").split(separator: "\n").count == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: exported.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aFolderWithSomethingInItAnUnknownSlugAndAFileAreRefusedInOneLineWritingNothing() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("ref")
        let full = folder()
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: full.appendingPathComponent("mine.txt"))
        let refused = try await admin("tenant", "export", tenant.slug, full.path)
        #expect(refused.status != 0)
        #expect(refused.stderr == "collections-admin: error: \(full.path) is not empty; nothing was written\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: full.path) == ["mine.txt"])

        let missing = folder()
        let unknown = try await admin("tenant", "export", "no-such-lender", missing.path)
        #expect(unknown.status != 0)
        #expect(unknown.stderr == "collections-admin: error: no tenant with slug \"no-such-lender\"\n")
        #expect(!FileManager.default.fileExists(atPath: missing.path))

        let file = full.appendingPathComponent("mine.txt")
        let notFolder = try await admin("tenant", "export", tenant.slug, file.path)
        #expect(notFolder.status != 0 && notFolder.stderr.contains("is a file, not a folder"))
        #expect(notFolder.stderr.split(separator: "\n").count == 1)
    }
}
