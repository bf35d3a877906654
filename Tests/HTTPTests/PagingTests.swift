import CollectionsImport
import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// Keyset cursors: paging through 10,000 invoices while 500 more are issued
/// (before and after the cursor, in between pages) returns every invoice that
/// existed at the start exactly once, and nothing twice.
@Suite struct PagingTests {
    @Test func pagingThroughTenThousandInvoicesWhileFiveHundredAreAddedSeesEachOnce() async throws {
        let fixture = try await HTTPFixture.make("http_paging")
        let db = fixture.service.service
        let tenant = fixture.a.tenant
        _ = try await Clients(database: db, tenant: tenant.id).create(NewClient(ref: "C1", name: "One", currency: "USD"), actor: "t")
        // Numbers with gaps, so the new ones land before, between and after the pages.
        let existing = (0..<10_000).map { String(format: "INV-%06d", $0 * 2 + 1) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("paging-\(UUID().uuidString).csv")
        try (["client_ref,number,currency,amount,issued_on"] + existing.map { "C1,\($0),USD,10.00,2024-01-01" })
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let summary = try await Importer(database: db, tenant: tenant).run(.invoices, path: file.path, options: ImportOptions(actor: "t"))
        #expect(summary.inserted == 10_000)

        let invoices = Invoices(database: db, tenant: tenant.id)
        let (seen, added, pages) = try await fixture.test { client in
            var seen: [String: Int] = [:]
            var added = 0
            var cursor: String?
            var pages = 0
            var generator = SystemRandomNumberGenerator()
            repeat {
                let path = "/v1/invoices?limit=100" + (cursor.map { "&starting_after=\($0)" } ?? "")
                let response = try await client.send(.get, path, as: fixture.a)
                try #require(response.status == .ok, "\(response.text)")
                let page = try response.json()
                let data = try #require(page["data"] as? [[String: Any]])
                for row in data { seen[row["number"] as! String, default: 0] += 1 }
                let next = page["next_cursor"] as? String
                #expect((page["has_more"] as? Bool) == (next != nil))
                cursor = next
                pages += 1
                // Five new invoices between pages: even numbers anywhere in the range.
                for _ in 0..<5 where added < 500 {
                    let number = String(format: "INV-%06d", Int.random(in: 0..<10_000, using: &generator) * 2)
                    do {
                        _ = try await invoices.create(
                            NewInvoice(clientRef: "C1", number: number, amount: Money(amountMinor: 1_00, currency: "USD"),
                                       issuedOn: CalendarDate("2024-01-02")!), actor: "t")
                        added += 1
                    } catch let error as ServiceError where error.kind == .conflict {
                        continue  // that even number was drawn before
                    }
                }
            } while cursor != nil && pages < 1_000
            return (seen, added, pages)
        }
        #expect(added >= 400)
        for number in existing { #expect(seen[number] == 1, "\(number) seen \(seen[number] ?? 0) times") }
        #expect(seen.values.allSatisfy { $0 == 1 }, "an invoice was returned twice")
        #expect(pages >= 100)
    }

    @Test func limitsAndCursorsAreChecked() async throws {
        let fixture = try await HTTPFixture.make("http_paging_limits")
        try await fixture.test { client in
            for path in ["/v1/invoices?limit=0", "/v1/invoices?limit=101", "/v1/invoices?limit=100000", "/v1/invoices?limit=-1",
                         "/v1/invoices?limit=ten"] {
                try await client.send(.get, path, as: fixture.a).expectProblem(400)
            }
            // A cursor the schema allows but the API never gave: invalid, not malformed.
            for path in ["/v1/clients?starting_after=not-a-cursor", "/v1/payments?starting_after=%00", "/v1/plans?starting_after=0"] {
                try await client.send(.get, path, as: fixture.a).expectProblem(422)
            }
            let empty = try await client.send(.get, "/v1/invoices", as: fixture.a)
            #expect(empty.status == .ok)
            #expect(try empty.json()["has_more"] as? Bool == false)
            #expect(try empty.json()["next_cursor"] == nil)
        }
    }
}
