import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ClientTests {
    static let fixture = Task { try await ServiceFixture.make("clients") }

    func book() async throws -> LedgerBook { try await LedgerBook.make(Self.fixture.value) }

    @Test func createsAClientWithEveryFieldAndAuditsIt() async throws {
        let book = try await book()
        // An assignment names a known collector (sql/0022).
        _ = try await Collectors(database: book.clients.database, tenant: book.clients.tenant)
            .create(handle: "dana", actor: "admin")
        let created = try await book.clients.create(
            NewClient(
                ref: "ACME", name: "Acme Corp", email: "ap@acme.test", phone: "+1 555 0100", preferredChannel: .email,
                doNotContact: true, paymentTermsDays: 45, creditLimit: Money(amountMinor: 500_000, currency: "USD"),
                status: .agency(name: "Recoveries Ltd", placedOn: ledgerDay("2024-03-01")), assignedCollector: "dana"),
            actor: "dana")
        let fetched = try await book.clients.get("ACME")
        #expect(fetched == created)
        #expect(fetched.email == "ap@acme.test")
        #expect(fetched.preferredChannel == .email)
        #expect(fetched.doNotContact)
        #expect(fetched.paymentTermsDays == 45)
        #expect(fetched.creditLimit == Money(amountMinor: 500_000, currency: "USD"))
        #expect(fetched.currency == "USD")
        #expect(fetched.status == .agency(name: "Recoveries Ltd", placedOn: ledgerDay("2024-03-01")))
        #expect(fetched.assignedCollector == "dana")
        let audit = try await book.audit(entity: "client")
        #expect(audit.map(\.action) == ["create"])
        #expect(audit.first?.actor == "dana")
        #expect(audit.first?.after?.contains("\"ref\": \"ACME\"") == true)
    }

    @Test func defaultsAreThoseOfTheSchema() async throws {
        let book = try await book()
        let client = try await book.clients.create(NewClient(ref: "C1", name: "  Plain Co  "), actor: "t")
        #expect(client.name == "Plain Co")
        #expect(client.paymentTermsDays == 30)
        #expect(client.status == .active)
        #expect(client.creditLimit == nil)
        #expect(client.email == nil)
        #expect(!client.doNotContact)
    }

    @Test func aDuplicateRefIsAConflictNamingItAndChangesNothing() async throws {
        let book = try await book()
        _ = try await book.clients.create(NewClient(ref: "DUP", name: "First"), actor: "t")
        let before = try await book.fingerprint()
        let error = await #expect(throws: ServiceError.self) {
            try await book.clients.create(NewClient(ref: "DUP", name: "Second"), actor: "t")
        }
        #expect(error?.kind == .conflict)
        #expect(error?.message == "a client with ref \"DUP\" already exists")
        #expect(try await book.fingerprint() == before)
        #expect(try await book.clients.get("DUP").name == "First")
    }

    @Test func refusesInvalidFieldsInWords() async throws {
        let book = try await book()
        let before = try await book.fingerprint()
        let cases: [(NewClient, String)] = [
            (NewClient(ref: "", name: "X"), "the client ref is required"),
            (NewClient(ref: "R", name: " "), "the client name is required"),
            (NewClient(ref: "R", name: String(repeating: "n", count: 201)), "the client name is 201 characters long; at most 200 are allowed"),
            // 150 letters with a combining accent: 150 to Swift, 300 to char_length.
            (NewClient(ref: "R", name: String(repeating: "e\u{301}", count: 150)), "the client name is 300 characters long; at most 200 are allowed"),
            (NewClient(ref: String(repeating: "r", count: 65), name: "X"), "the client ref is 65 characters long; at most 64 are allowed"),
            (NewClient(ref: "R", name: "X", email: "not-an-email"), "\"not-an-email\" is not an email address"),
            (NewClient(ref: "R", name: "X", paymentTermsDays: 4000), "payment terms must be 0-3650 days, not 4000"),
            (NewClient(ref: "R", name: "X", currency: "ABC"), "unknown currency \"ABC\": use an ISO 4217 code such as USD"),
            (NewClient(ref: "R", name: "X", creditLimit: Money(amountMinor: -1, currency: "USD")), "a credit limit cannot be negative (-0.01 USD)"),
            (NewClient(ref: "R", name: "X", currency: "EUR", creditLimit: Money(amountMinor: 1, currency: "USD")),
             "the credit limit is in USD but the client's currency is EUR"),
            (NewClient(ref: "R", name: "X", status: .agency(name: "", placedOn: ledgerDay("2024-01-01"))), "the agency name is required"),
        ]
        for (new, message) in cases {
            let error = await #expect(throws: ServiceError.self) { try await book.clients.create(new, actor: "t") }
            #expect(error?.kind == .invalid)
            #expect(error?.message == message)
        }
        let error = await #expect(throws: ServiceError.self) {
            try await book.clients.create(NewClient(ref: "R", name: "X"), actor: " ")
        }
        #expect(error?.kind == .invalid)
        #expect(try await book.fingerprint() == before)
    }

    @Test func controlCharactersAreRefusedInEveryTextField() async throws {
        let book = try await book()
        let before = try await book.fingerprint()
        let cases: [(NewClient, String)] = [
            (NewClient(ref: "R", name: "Evil\u{1B}[31mCo"), "the client name contains the control character U+001B (escape) at character 5"),
            (NewClient(ref: "R\tX", name: "X"), "the client ref contains the control character U+0009 (tab) at character 2"),
            (NewClient(ref: "R", name: "X", phone: "555\u{9B}2J"), "the phone number contains the control character U+009B (CSI) at character 4"),
            (NewClient(ref: "R", name: "X", email: "a\u{7F}@x.test"), "the email address contains the control character U+007F (DEL) at character 2"),
        ]
        for (new, message) in cases {
            let error = await #expect(throws: ServiceError.self) { try await book.clients.create(new, actor: "t") }
            #expect(error?.kind == .invalid)
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
        #expect(try await book.fingerprint() == before)
    }

    @Test func updatesOnlyTheFieldsGivenAndAuditsBeforeAndAfter() async throws {
        let book = try await book()
        let original = try await book.clients.create(
            NewClient(ref: "UPD", name: "Old Name", email: "old@x.test", phone: "1", paymentTermsDays: 10), actor: "t")
        var changes = ClientChanges()
        changes.name = "New Name"
        changes.email = .some(nil)
        changes.status = .onHold
        changes.creditLimit = Money(amountMinor: 1000, currency: "EUR")
        let updated = try await book.clients.update("UPD", changes, actor: "lee")
        #expect(updated.name == "New Name")
        #expect(updated.email == nil)
        #expect(updated.phone == "1")
        #expect(updated.paymentTermsDays == 10)
        #expect(updated.status == .onHold)
        #expect(updated.creditLimit == Money(amountMinor: 1000, currency: "EUR"))
        #expect(updated.id == original.id)

        let placed = try await book.clients.update(
            "UPD", ClientChanges(status: .agency(name: "Collect Co", placedOn: ledgerDay("2024-05-01"))), actor: "lee")
        #expect(placed.status == .agency(name: "Collect Co", placedOn: ledgerDay("2024-05-01")))
        #expect(try await book.clients.get("UPD") == placed)

        let audit = try await book.audit(entity: "client")
        #expect(audit.map(\.action) == ["create", "update", "update"])
        #expect(audit[1].before?.contains("\"name\": \"Old Name\"") == true)
        #expect(audit[1].after?.contains("\"name\": \"New Name\"") == true)
        #expect(audit[1].actor == "lee")
    }

    @Test func aRefusedUpdateChangesNothing() async throws {
        let book = try await book()
        _ = try await book.clients.create(NewClient(ref: "KEEP", name: "Keep"), actor: "t")
        let invalid = await #expect(throws: ServiceError.self) {
            try await book.clients.update("KEEP", ClientChanges(name: "", paymentTermsDays: 5), actor: "t")
        }
        #expect(invalid?.kind == .invalid)
        let noCurrency = await #expect(throws: ServiceError.self) {
            _ = try await book.clients.update(
                "KEEP", ClientChanges(creditLimit: Money(amountMinor: 5, currency: "USD")), actor: "t")
            _ = try await book.clients.update("KEEP", ClientChanges(currency: .some(nil)), actor: "t")
        }
        #expect(noCurrency?.message == "a credit limit needs a currency")
        let missing = await #expect(throws: ServiceError.self) {
            try await book.clients.update("NOPE", ClientChanges(name: "x"), actor: "t")
        }
        #expect(missing?.kind == .notFound)
        #expect(missing?.message == "no client with ref \"NOPE\"")
        _ = try await book.clients.update("KEEP", ClientChanges(creditLimit: .some(nil)), actor: "t")
        let after = try await book.clients.get("KEEP")
        #expect(after.name == "Keep")
        #expect(after.paymentTermsDays == 30)
    }

    @Test func getOfAnUnknownRefNamesIt() async throws {
        let book = try await book()
        let error = await #expect(throws: ServiceError.self) { try await book.clients.get("GHOST") }
        #expect(error?.kind == .notFound)
        #expect(error?.message == "no client with ref \"GHOST\"")
    }

    @Test func listsInRefOrderAPageAtATime() async throws {
        let book = try await book()
        for ref in ["C05", "C01", "C04", "C02", "C03"] {
            _ = try await book.clients.create(NewClient(ref: ref, name: "Client \(ref)"), actor: "t")
        }
        var refs: [[String]] = []
        var cursor: String?
        repeat {
            let page = try await book.clients.list(after: cursor, limit: 2)
            refs.append(page.items.map(\.ref))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(refs == [["C01", "C02"], ["C03", "C04"], ["C05"]])
        let all = try await book.clients.list(limit: 5)
        #expect(all.items.count == 5)
        #expect(all.nextCursor == nil)
        await #expect(throws: ServiceError.self) { try await book.clients.list(limit: 0) }
    }

    @Test func searchesNameOrRefIgnoringCaseWithWildcardsTakenLiterally() async throws {
        let book = try await book()
        _ = try await book.clients.create(NewClient(ref: "ACME-1", name: "Acme Corp"), actor: "t")
        _ = try await book.clients.create(NewClient(ref: "B-2", name: "Bolts 100% Ltd"), actor: "t")
        _ = try await book.clients.create(NewClient(ref: "C_3", name: "Cogs"), actor: "t")
        _ = try await book.clients.create(NewClient(ref: "CX3", name: "Gears"), actor: "t")
        #expect(try await book.clients.list(matching: "acme").items.map(\.ref) == ["ACME-1"])
        #expect(try await book.clients.list(matching: "CORP").items.map(\.ref) == ["ACME-1"])
        #expect(try await book.clients.list(matching: "100%").items.map(\.ref) == ["B-2"])
        #expect(try await book.clients.list(matching: "%").items.map(\.ref) == ["B-2"])
        #expect(try await book.clients.list(matching: "c_3").items.map(\.ref) == ["C_3"])
        #expect(try await book.clients.list(matching: "zzz").items.isEmpty)
        let page = try await book.clients.list(matching: "c", limit: 1)
        #expect(page.items.map(\.ref) == ["ACME-1"])
        let rest = try await book.clients.list(matching: "c", after: page.nextCursor, limit: 10)
        #expect(Set(rest.items.map(\.ref)) == ["C_3", "CX3"])
        #expect(rest.nextCursor == nil)
    }

    @Test func aSuspendedTenantCanNeitherReadNorWrite() async throws {
        let book = try await book()
        _ = try await book.clients.create(NewClient(ref: "S1", name: "S"), actor: "t")
        try await book.suspend()
        for operation in [
            { _ = try await book.clients.get("S1") },
            { _ = try await book.clients.create(NewClient(ref: "S2", name: "S"), actor: "t") },
            { _ = try await book.clients.update("S1", ClientChanges(name: "Z"), actor: "t") },
            { _ = try await book.clients.list() },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: ServiceError.self) { try await operation() }
            #expect(error?.kind == .suspended)
        }
        try await book.resume()
        #expect(try await book.clients.get("S1").name == "S")
    }

    @Test func anotherTenantsClientIsNotFound() async throws {
        let mine = try await book()
        let theirs = try await book()
        _ = try await theirs.clients.create(NewClient(ref: "THEIRS", name: "T"), actor: "t")
        let error = await #expect(throws: ServiceError.self) { try await mine.clients.get("THEIRS") }
        #expect(error?.message == "no client with ref \"THEIRS\"")
        _ = try await mine.clients.create(NewClient(ref: "THEIRS", name: "Mine"), actor: "t")
        #expect(try await theirs.clients.get("THEIRS").name == "T")
    }
}
