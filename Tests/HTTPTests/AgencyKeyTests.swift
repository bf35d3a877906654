import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// An agency's API key on the lender's routes: it sees and writes only the
/// client placed with its agency; an unplaced client of the same tenant and
/// another tenant's rows answer 404 (as an id that exists nowhere) or 403 (what
/// its role was not granted), never a 2xx or a 500; reports, imports and
/// webhooks are refused by the database's grants; after recall it sees nothing
/// of the client. The isolation attacks of `IsolationTests`, with an agency's key.
@Suite struct AgencyKeyTests {
    @Test func anAgencysKeySeesOnlyItsPlacedClientAndAfterRecallNothing() async throws {
        let fixture = try await HTTPFixture.make("http_agency_keys")
        let placed = try await IsolationTests.seed(fixture, fixture.a, prefix: "P")
        let unplaced = try await IsolationTests.seed(fixture, fixture.a, prefix: "U")
        let other = try await IsolationTests.seed(fixture, fixture.b, prefix: "B")
        let agencies = Agencies(database: fixture.service.service, tenant: fixture.a.tenant.id)
        _ = try await agencies.create(name: "Recoveries Inc", commissionBP: 1500, actor: "test")
        let placement = try await agencies.place(clientRef: "P-C1", agency: "Recoveries Inc", on: CalendarDate("2024-02-01")!,
                                                 actor: "test")
        let issued = try await ApiKeys(database: fixture.service.service).create(
            tenantSlug: fixture.a.tenant.slug, label: "agency", agency: "Recoveries Inc", actor: "test")
        let agency = HTTPFixture.Lender(tenant: fixture.a.tenant, key: issued.secret)
        let bBefore = try await IsolationTests.snapshot(fixture, fixture.b)

        try await fixture.test { client in
            // Lists: the placed client and its invoices only.
            let clients = try await client.send(.get, "/v1/clients", as: agency)
            #expect(clients.status == .ok, "\(clients.text)")
            let refs = try #require(try clients.json()["data"] as? [[String: Any]]).compactMap { $0["ref"] as? String }
            #expect(refs == ["P-C1"])
            let invoices = try await client.send(.get, "/v1/invoices", as: agency)
            let numbers = try #require(try invoices.json()["data"] as? [[String: Any]]).compactMap { $0["number"] as? String }
            #expect(numbers.sorted() == ["P-INV-1", "P-INV-2"], "\(invoices.text)")
            for path in ["/v1/clients?ref=U-C1", "/v1/clients?ref=B-C1", "/v1/payments"] {
                let response = try await client.send(.get, path, as: agency)
                #expect(response.status == .ok, "\(path): \(response.text)")
                #expect(!response.text.contains("U-") && !response.text.contains("B-"), "\(path): \(response.text)")
            }
            // Its placed client by id, and a note on it.
            let own = try await client.send(.get, "/v1/clients/\(placed.client.uuidString.lowercased())", as: agency)
            #expect(own.status == .ok, "\(own.text)")
            let note = try await client.send(.post, "/v1/clients/\(placed.client.uuidString.lowercased())/notes", as: agency,
                                             json: #"{"channel":"call","body":"agency called"}"#)
            #expect(note.status == .created, "\(note.text)")

            // Every route with an id, with the unplaced client's ids and another tenant's.
            for seeded in [unplaced, other] {
                for (method, template, body, kind) in IsolationTests.routes {
                    let path = template.replacingOccurrences(of: "{id}", with: seeded[kind].uuidString.lowercased())
                    let response = try await client.send(method, path, as: agency, json: body)
                    #expect([403, 404].contains(response.status.code), "\(method) \(path): \(response.status.code) \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(method) \(path)")
                }
            }
            // The lender's other business: refused by the database's grants, in a problem, never a 500.
            for (method, path, body, type) in [
                (HTTPRequest.Method.get, "/v1/reports/kpis", nil, nil), (.get, "/v1/reports/ageing", nil, nil),
                (.get, "/v1/reports/dunning-plan", nil, nil), (.get, "/v1/reports/reminders", nil, nil),
                (.get, "/v1/webhook-endpoints", nil, nil),
                (.post, "/v1/webhook-endpoints", #"{"url":"https://hooks.example/in"}"#, nil),
                (.post, "/v1/clients", #"{"ref":"NEW","name":"New"}"#, nil),
                (.post, "/v1/imports/clients", "ref,name\nNEW2,New\n", "text/csv"),
                (.post, "/v1/payments", #"{"client_ref":"P-C1","reference":"AG-1","currency":"USD","amount":"1.00","received_on":"2024-02-02"}"#, nil),
                (.patch, "/v1/clients/\(placed.client.uuidString.lowercased())", #"{"name":"taken over"}"#, nil),
            ] as [(HTTPRequest.Method, String, String?, String?)] {
                var headers: HTTPFields = [:]
                if let type { headers[.contentType] = type }
                let response = try await client.send(method, path, as: agency, json: body, headers: headers)
                #expect([403, 404].contains(response.status.code), "\(method) \(path): \(response.status.code) \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(method) \(path)")
            }
            // The live worklist reads only tables the agency may read: it answers, with
            // nothing but the agency's own accounts (a whole-client placement is never listed).
            let worklist = try await client.send(.get, "/v1/reports/worklist", as: agency)
            #expect(!worklist.text.contains("U-") && !worklist.text.contains("B-"), "\(worklist.text)")
            // The lender's own key still sees its whole book.
            let lender = try await client.send(.get, "/v1/clients", as: fixture.a)
            #expect(try #require(try lender.json()["data"] as? [[String: Any]]).count == 2)
        }
        #expect(try await IsolationTests.snapshot(fixture, fixture.b) == bBefore, "B's rows changed under A's agency's key")

        _ = try await agencies.recall(placement.id, on: CalendarDate("2024-03-01")!, actor: "test")
        try await fixture.test { client in
            let clients = try await client.send(.get, "/v1/clients", as: agency)
            #expect(try #require(try clients.json()["data"] as? [[String: Any]]).isEmpty, "\(clients.text)")
            let invoices = try await client.send(.get, "/v1/invoices", as: agency)
            #expect(try #require(try invoices.json()["data"] as? [[String: Any]]).isEmpty, "\(invoices.text)")
            let own = try await client.send(.get, "/v1/clients/\(placed.client.uuidString.lowercased())", as: agency)
            try own.expectProblem(404)
            let note = try await client.send(.post, "/v1/clients/\(placed.client.uuidString.lowercased())/notes", as: agency,
                                             json: #"{"channel":"call","body":"after recall"}"#)
            #expect([403, 404].contains(note.status.code), "\(note.text)")
        }
    }

    @Test func placementsOverHTTPAreTheLendersAndRefusedInWords() async throws {
        let fixture = try await HTTPFixture.make("http_placements")
        _ = try await IsolationTests.seed(fixture, fixture.a, prefix: "P")
        _ = try await Agencies(database: fixture.service.service, tenant: fixture.a.tenant.id).create(
            name: "Recoveries Inc", commissionBP: 1500, actor: "test")
        let issued = try await ApiKeys(database: fixture.service.service).create(
            tenantSlug: fixture.a.tenant.slug, label: "agency", agency: "Recoveries Inc", actor: "test")
        let agency = HTTPFixture.Lender(tenant: fixture.a.tenant, key: issued.secret)
        try await fixture.test { client in
            let unknown = try await client.send(.post, "/v1/placements", as: fixture.a,
                                                json: #"{"client_ref":"P-C1","agency":"Recoveries Inc","invoices":["NOPE"]}"#)
            let problem = try unknown.expectProblem(404)
            #expect(problem["detail"] as? String == "client P-C1 has no invoice NOPE")
            let placed = try await client.send(.post, "/v1/placements", as: fixture.a,
                                               json: #"{"client_ref":"P-C1","agency":"Recoveries Inc","invoices":["P-INV-1"],"placed_on":"2024-02-01"}"#)
            #expect(placed.status == .created, "\(placed.text)")
            let body = try placed.json()
            #expect(body["whole_client"] as? Bool == false && body["placed_on"] as? String == "2024-02-01")
            // P-INV-1: 100.00 less the 10.00 paid.
            #expect((body["invoices"] as? [[String: Any]])?.first?["placed_minor"] as? Int == 9000, "\(placed.text)")
            let again = try await client.send(.post, "/v1/placements", as: fixture.a,
                                              json: #"{"client_ref":"P-C1","agency":"Recoveries Inc","invoices":["P-INV-2"]}"#)
            let refused = try again.expectProblem(422)
            #expect((refused["detail"] as? String)?.hasPrefix("client P-C1 is already placed with Recoveries Inc") == true)
            // A NUL byte is refused in words (422), never sent to the database (a 500).
            let nul = try await client.send(.post, "/v1/placements", as: fixture.a,
                                            json: #"{"client_ref":"P-C1\u0000","agency":"Recoveries Inc"}"#)
            try nul.expectProblem(422)
            let listed = try await client.send(.get, "/v1/placements", as: fixture.a)
            #expect(try #require(try listed.json()["data"] as? [[String: Any]]).count == 1)
            // Paged, newest first: a second client's placement, then the first.
            _ = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id)
                .create(NewClient(ref: "P-C2", name: "Second"), actor: "test")
            _ = try await Invoices(database: fixture.service.service, tenant: fixture.a.tenant.id).create(NewInvoice(
                clientRef: "P-C2", number: "P2-INV-1", amount: Money(amountMinor: 70_00, currency: "USD"),
                issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
            let second = try await client.send(.post, "/v1/placements", as: fixture.a,
                                               json: #"{"client_ref":"P-C2","agency":"Recoveries Inc","placed_on":"2024-03-01"}"#)
            #expect(second.status == .created, "\(second.text)")
            let first = try await client.send(.get, "/v1/placements?limit=1", as: fixture.a).json()
            #expect((first["data"] as? [[String: Any]])?.map { $0["client_ref"] as? String } == ["P-C2"])
            #expect(first["has_more"] as? Bool == true)
            let cursor = try #require(first["next_cursor"] as? String)
            let next = try await client.send(.get, "/v1/placements?limit=1&starting_after=\(cursor)", as: fixture.a).json()
            #expect((next["data"] as? [[String: Any]])?.map { $0["client_ref"] as? String } == ["P-C1"])
            #expect(next["has_more"] as? Bool == false)
            #expect(next["next_cursor"] == nil)
            // The agency's own key: its role may not read or write placements.
            try (try await client.send(.get, "/v1/placements", as: agency)).expectProblem(403)
            try (try await client.send(.post, "/v1/placements", as: agency,
                                       json: #"{"client_ref":"P-C1","agency":"Recoveries Inc"}"#)).expectProblem(403)
        }
    }
}
