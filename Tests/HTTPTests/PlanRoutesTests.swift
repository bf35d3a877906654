import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// `/v1/plans`: the CLI's `plan` commands over HTTP as the server's login, each
/// lender seeing only its own plans.
@Suite struct PlanRoutesTests {
    static let fixture = Task<HTTPFixture, any Error> { try await HTTPFixture.make("planapi") }

    static func book(_ fixture: HTTPFixture, _ lender: HTTPFixture.Lender, clients: [String]) async throws {
        for ref in clients {
            _ = try await Clients(database: fixture.service.service, tenant: lender.tenant.id)
                .create(NewClient(ref: ref, name: "Client \(ref)"), actor: "test")
            for (number, minor) in [("\(ref)-1", Int64(100_000)), ("\(ref)-2", Int64(50_001))] {
                _ = try await Invoices(database: fixture.service.service, tenant: lender.tenant.id).create(NewInvoice(
                    clientRef: ref, number: number, amount: Money(amountMinor: minor, currency: "USD"),
                    issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
            }
        }
    }

    @Test func aPlanIsMadeShownListedPageByPageAndCancelled() async throws {
        let fixture = try await Self.fixture.value
        try await Self.book(fixture, fixture.a, clients: ["P1", "P2", "P3"])
        try await fixture.test { client in
            var ids: [String] = []
            for ref in ["P1", "P2", "P3"] {
                let made = try await client.send(.post, "/v1/plans", as: fixture.a, json: """
                    {"client_ref": "\(ref)", "instalments": 3, "every": "month", "start_on": "2024-02-29", "made_on": "2024-02-01"}
                    """)
                #expect(made.status == .created, "\(made.text)")
                let body = try made.json()
                ids.append(try #require(body["id"] as? String))
                #expect(body["status"] as? String == "current")
                #expect(body["total_minor"] as? Int == 150_001)
                let instalments = try #require(body["instalments"] as? [[String: Any]])
                #expect(instalments.map { $0["amount_minor"] as? Int } == [50_000, 50_000, 50_001])
                #expect(instalments.map { $0["due_on"] as? String } == ["2024-02-29", "2024-03-29", "2024-04-29"])
                #expect(body["invoices"] as? [String] == ["\(ref)-1", "\(ref)-2"])
            }
            let shown = try await client.send(.get, "/v1/plans/\(ids[0])?as_of=2024-02-10", as: fixture.a)
            #expect(shown.status == .ok, "\(shown.text)")
            #expect(try shown.json()["client_ref"] as? String == "P1")

            let first = try await client.send(.get, "/v1/plans?limit=2&as_of=2024-02-10", as: fixture.a)
            #expect(first.status == .ok, "\(first.text)")
            let page = try first.json()
            #expect((page["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(ids.prefix(2)))
            #expect(page["has_more"] as? Bool == true)
            let cursor = try #require(page["next_cursor"] as? String)
            let second = try await client.send(.get, "/v1/plans?limit=2&as_of=2024-02-10&starting_after=\(cursor)", as: fixture.a)
            #expect((try second.json()["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[2]])
            #expect(try second.json()["has_more"] as? Bool == false)
            let made = try await client.send(.get, "/v1/plans?starting_after=0", as: fixture.a)
            #expect(made.status == .unprocessableContent, "a cursor the API never gave: \(made.text)")
            let one = try await client.send(.get, "/v1/plans?client_ref=P2&as_of=2024-02-10", as: fixture.a)
            #expect((try one.json()["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[1]])

            let cancelled = try await client.send(
                .post, "/v1/plans/\(ids[2])/cancel", as: fixture.a, json: #"{"on": "2024-02-10", "reason": "client asked"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try cancelled.json()["status"] as? String == "cancelled")
            let again = try await client.send(.post, "/v1/plans/\(ids[2])/cancel", as: fixture.a, json: #"{"on": "2024-02-11"}"#)
            #expect(again.status == .conflict, "\(again.text)")
        }
    }

    @Test func anInvoiceAPlanCannotCoverIsRefusedInWordsAndAnotherLendersPlanIsAPlain404() async throws {
        let fixture = try await Self.fixture.value
        try await Self.book(fixture, fixture.b, clients: ["Q1"])
        try await fixture.test { client in
            let made = try await client.send(.post, "/v1/plans", as: fixture.b, json: """
                {"client_ref": "Q1", "instalments": 2, "every": "week", "start_on": "2024-02-05", "made_on": "2024-02-01",
                 "invoice_numbers": ["Q1-1"]}
                """)
            #expect(made.status == .created, "\(made.text)")
            let id = try #require(try made.json()["id"] as? String)
            let twice = try await client.send(.post, "/v1/plans", as: fixture.b, json: """
                {"client_ref": "Q1", "instalments": 2, "every": "week", "start_on": "2024-02-05", "made_on": "2024-02-01",
                 "invoice_numbers": ["Q1-1", "Q1-2"]}
                """)
            #expect(twice.status == .conflict, "\(twice.text)")
            #expect(twice.text.contains("invoice Q1-1 is already on payment plan \(id)"), "\(twice.text)")
            #expect(twice.headers[.contentType] == "application/problem+json")
            let early = try await client.send(.post, "/v1/plans", as: fixture.b, json: """
                {"client_ref": "Q1", "instalments": 2, "every": "week", "start_on": "2024-01-05", "made_on": "2024-02-01",
                 "invoice_numbers": ["Q1-2"]}
                """)
            #expect(early.status == .unprocessableContent, "\(early.text)")

            // Lender a: the id is another tenant's, answered exactly as an unknown one.
            let foreign = try await client.send(.get, "/v1/plans/\(id)", as: fixture.a)
            let unknown = try await client.send(.get, "/v1/plans/\(UUID().uuidString.lowercased())", as: fixture.a)
            #expect(foreign.status == .notFound)
            #expect(foreign.text == unknown.text)
            let cancel = try await client.send(.post, "/v1/plans/\(id)/cancel", as: fixture.a, json: "{}")
            #expect(cancel.status == .notFound)
            let listed = try await client.send(.get, "/v1/plans?as_of=2024-02-10", as: fixture.a)
            #expect(!listed.text.contains(id))
        }
    }
}
