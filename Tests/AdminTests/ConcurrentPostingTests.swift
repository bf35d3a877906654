import CollectionsImport
import CollectionsService
import Foundation
import Postgres
import TestSupport
import Testing

/// Payments posted at the same time by imports (`collections-admin import
/// payments`, as operators run it) and by the posting path the API calls: the
/// same file twice posts once, and no invoice is ever paid more than it owes.
@Suite struct ConcurrentPostingTests {
    static let fixture = Task { try await ServiceFixture.make("concurrent_posting") }

    /// A tenant with clients C1..C4 and `invoices` invoices of 100.00 USD each,
    /// numbered INV-1..., issued 2013-01-01 with due dates a day apart.
    func tenant(invoices: Int) async throws -> Tenant {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("conc")
        let clients = (1...4).map { "C\($0),Client \($0),USD,30" }.joined(separator: "\n")
        try #require(try await admin("import", "clients", tenant.slug, file("ref,name,currency,payment_terms_days\n" + clients)).status == 0)
        let rows = (1...invoices).map {
            "C\($0 % 4 + 1),INV-\($0),USD,100.00,2013-01-01,\(CalendarDate("2013-02-01")!.adding(days: $0))"
        }
        let result = try await admin("import", "invoices", tenant.slug, file("client_ref,number,currency,amount,issued_on,due_on\n" + rows.joined(separator: "\n")))
        try #require(result.status == 0, "\(result.stderr)")
        return tenant
    }

    func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("concurrent-\(UUID().uuidString).csv")
        try Data((text + "\n").utf8).write(to: url)
        return url.path
    }

    func admin(_ arguments: String...) async throws -> CommandResult {
        try await Executable.run("collections-admin", arguments, databaseURL: try await Self.fixture.value.database.url(as: .admin))
    }

    func summary(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }

    /// Invoices paid more than they owe, and payments that paid out more than they
    /// were, counted by SQL of this test's own.
    func overApplied(_ tenant: Tenant) async throws -> (invoices: Int, payments: Int, total: Int64) {
        try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            let row = try await tx.query("""
                SELECT (SELECT count(*) FROM invoices i
                        WHERE i.amount_minor < (SELECT coalesce(sum(a.amount_minor), 0) FROM payment_applications a WHERE a.invoice_id = i.id)),
                       (SELECT count(*) FROM payments p
                        WHERE p.amount_minor < (SELECT coalesce(sum(a.amount_minor), 0) FROM payment_applications a WHERE a.payment_id = p.id)),
                       (SELECT coalesce(sum(amount_minor), 0)::bigint FROM payment_applications)
                """)[0]
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1), try row.decode(Int64.self, at: 2))
        }
    }

    @Test func theSameFileImportedTwiceAtOncePostsEachPaymentOnce() async throws {
        let tenant = try await tenant(invoices: 120)
        // Named and automatic, several to one invoice; a file-sized set each.
        let rows = (1...400).map { n in
            n % 3 == 0
                ? "C\(n % 4 + 1),PAY-\(n),USD,30.00,2013-03-\(String(format: "%02d", n % 28 + 1)),"
                : "C\(n % 120 % 4 + 1),PAY-\(n),USD,20.00,2013-03-\(String(format: "%02d", n % 28 + 1)),INV-\(n % 120 == 0 ? 120 : n % 120)"
        }
        let payments = try file("client_ref,reference,currency,amount,received_on,invoice_number\n" + rows.joined(separator: "\n"))
        async let first = admin("import", "payments", tenant.slug, payments, "--rejects", payments + ".1.bad", "--format", "json")
        async let second = admin("import", "payments", tenant.slug, payments, "--rejects", payments + ".2.bad", "--format", "json")
        let results = try await [first, second]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let summaries = try results.map(summary)
        let inserted = summaries.map { $0["inserted"] as? Int ?? -1 }
        let unchanged = summaries.map { $0["unchanged"] as? Int ?? -1 }
        let rejected = summaries.map { $0["rejected"] as? Int ?? -1 }
        // One import posted what the ledger took; the other found every one of them
        // posted; the rows the ledger refused (more than an invoice's balance) were
        // refused by both.
        #expect(inserted.sorted().first == 0, "\(summaries)")
        #expect(inserted.reduce(0, +) == unchanged.reduce(0, +), "\(summaries)")
        #expect(rejected[0] == rejected[1], "\(summaries)")
        #expect(inserted.reduce(0, +) + rejected[0] == 400, "\(summaries)")
        let count = try await Self.fixture.value.service.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("SELECT count(*) FROM payments").scalar(Int.self) ?? 0
        }
        #expect(count == inserted.reduce(0, +))
        let over = try await overApplied(tenant)
        #expect(over.invoices == 0 && over.payments == 0, "\(over)")
    }

    @Test func importsAndSinglePostsAtOnceNeverOverApplyAnInvoice() async throws {
        let tenant = try await tenant(invoices: 40)
        // Three files and forty single posts, all after the same forty invoices
        // (4,000.00 USD in all), offering 9,000.00 USD: most must be refused or
        // left as credit, none may land on an invoice already paid.
        func rows(_ prefix: String, _ amount: String, named: Bool) -> String {
            "client_ref,reference,currency,amount,received_on,invoice_number\n" + (1...80).map { n in
                "C\(n % 40 % 4 + 1),\(prefix)-\(n),USD,\(amount),2013-03-\(String(format: "%02d", n % 20 + 1)),\(named ? "INV-\(n % 40 == 0 ? 40 : n % 40)" : "")"
            }.joined(separator: "\n")
        }
        let files = [try file(rows("A", "30.00", named: true)), try file(rows("B", "25.00", named: true)),
                     try file(rows("C", "20.00", named: false))]
        let service = try await Self.fixture.value.service
        let payments = Payments(database: service, tenant: tenant.id)
        let outcome = try await withThrowingTaskGroup(of: (imports: [CommandResult], refused: Int).self) { group in
            for path in files {
                group.addTask { ([try await admin("import", "payments", tenant.slug, path, "--rejects", path + ".bad", "--format", "json")], 0) }
            }
            for n in 1...40 {
                group.addTask {
                    let number = "INV-\(n)"
                    let request = PaymentRequest(
                        clientRef: "C\(n % 4 + 1)", reference: "API-\(n)", amount: Money(amountMinor: 5000, currency: "USD"),
                        receivedOn: CalendarDate("2013-03-15")!,
                        allocation: .explicit([InvoiceAmount(invoiceNumber: number, amount: Money(amountMinor: 5000, currency: "USD"))]))
                    do {
                        _ = try await payments.post(request, idempotencyKey: "API-\(n)", actor: "test")
                        return ([], 0)
                    } catch let error as ServiceError where error.kind == .refused {
                        return ([], 1)
                    }
                }
            }
            var all: (imports: [CommandResult], refused: Int) = ([], 0)
            for try await part in group { all.imports += part.imports; all.refused += part.refused }
            return all
        }
        for result in outcome.imports { #expect(result.status == 0, "\(result.stderr)") }
        let rejected = try outcome.imports.map { try summary($0)["rejected"] as? Int ?? 0 }.reduce(0, +)
        let over = try await overApplied(tenant)
        #expect(over.invoices == 0 && over.payments == 0, "\(over)")
        // More was offered than owed, so writers were refused (which ones depends
        // on who came first), and what was placed stays within what was owed.
        #expect(rejected + outcome.refused > 0)
        #expect(over.total > 0 && over.total <= 400_000, "applied \(over.total)")
    }
}
