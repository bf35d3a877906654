import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// `GET /v1/reports/worklist?collector=&team=`: the CLI's `report worklist
/// --collector --team` over HTTP, an unknown team a 404 problem.
@Suite struct WorklistRouteTests {
    static let fixture = Task<HTTPFixture, any Error> { try await HTTPFixture.make("worklistapi") }

    @Test func theWorklistIsAskedForACollectorOrATeam() async throws {
        let fixture = try await Self.fixture.value
        let service = fixture.service.service
        let tenant = fixture.a.tenant.id
        let collectors = Collectors(database: service, tenant: tenant)
        _ = try await collectors.createTeam(name: "North", actor: "test")
        _ = try await collectors.create(handle: "ann", team: "North", actor: "test")
        _ = try await collectors.create(handle: "bob", actor: "test")
        for (ref, collector) in [("W1", "ann"), ("W2", "bob"), ("W3", "ann")] {
            _ = try await Clients(database: service, tenant: tenant).create(NewClient(ref: ref, name: "Client \(ref)"), actor: "test")
            _ = try await Invoices(database: service, tenant: tenant).create(NewInvoice(
                clientRef: ref, number: "\(ref)-1", amount: Money(amountMinor: 10_000, currency: "USD"),
                issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
            _ = try await collectors.assign(clientRefs: [ref], to: collector, actor: "test")
        }
        try await fixture.test { client in
            func refs(_ query: String) async throws -> [String] {
                let response = try await client.send(.get, "/v1/reports/worklist?as_of=2024-03-01\(query)", as: fixture.a)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return (try response.json()["entries"] as? [[String: Any]] ?? []).compactMap { $0["client_ref"] as? String }.sorted()
            }
            #expect(try await refs("") == ["W1", "W2", "W3"])
            #expect(try await refs("&collector=bob") == ["W2"])
            #expect(try await refs("&team=North") == ["W1", "W3"])
            let unknown = try await client.send(.get, "/v1/reports/worklist?team=West", as: fixture.a)
            let problem = try unknown.expectProblem(404)
            #expect((problem["detail"] as? String)?.contains("no team West") == true, "\(unknown.text)")
            // An empty name is refused (the spec's minLength), not read as everyone.
            for query in ["team=", "collector="] {
                try (try await client.send(.get, "/v1/reports/worklist?\(query)", as: fixture.a)).expectProblem(422)
            }
        }
    }
}
