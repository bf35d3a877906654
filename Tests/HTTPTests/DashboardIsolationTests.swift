import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// Tenant isolation on every dashboard route with an id: another tenant's
/// client id gets exactly the bytes of a random id, and nothing is written to
/// it; an agency's session sees and writes only the accounts placed with it,
/// as the database lets its role (the page does no filtering of its own).
@Suite struct DashboardIsolationTests {
    /// Every dashboard route with a client id, as (method, path with {id}, form without the CSRF token).
    static let routes: [(HTTPRequest.Method, String, [(String, String)]?)] = [
        (.get, "/dashboard/clients/{id}", nil),
        (.post, "/dashboard/clients/{id}/notes", [("kind", "call"), ("outcome", "refused"), ("body", "taken over")]),
        (.post, "/dashboard/clients/{id}/notes", [("kind", "promise"), ("promise_amount", "1.00"), ("promise_date", "2099-01-01")]),
        (.post, "/dashboard/clients/{id}/notes", [("kind", "satisfaction"), ("satisfaction", "1")]),
        (.post, "/dashboard/clients/{id}/disputes",
         [("invoice_number", "B-INV-1"), ("reason", "taken over"), ("date", "2024-02-01"), ("reason_code", "fraud")]),
    ]

    static func notes(_ fixture: HTTPFixture, _ lender: HTTPFixture.Lender) async throws -> Int {
        try await fixture.service.service.withTenant(lender.tenant.id) { tx in
            try await tx.query("""
                SELECT (SELECT count(*) FROM contact_notes WHERE tenant_id = \(lender.tenant.id))
                     + (SELECT count(*) FROM disputes WHERE tenant_id = \(lender.tenant.id))
                """).scalar(Int.self) ?? -1
        }
    }

    /// `route` with `id`, the form carrying the page's CSRF token.
    static func send(_ browser: DashboardBrowser, _ route: (HTTPRequest.Method, String, [(String, String)]?), id: UUID, csrf: String)
        async throws -> TestResponse {
        let path = route.1.replacingOccurrences(of: "{id}", with: id.uuidString.lowercased())
        return try await browser.request(route.0, path, form: route.2.map { [("csrf_token", csrf)] + $0 })
    }

    @Test func anotherTenantsClientIdGetsTheBytesOfARandomIdOnEveryRoute() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_isolation")
        let own = try await IsolationTests.seed(fixture, fixture.a, prefix: "A")
        let other = try await IsolationTests.seed(fixture, fixture.b, prefix: "B")
        let before = try await Self.notes(fixture, fixture.b)
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            try await browser.signIn(fixture.a.key)
            let page = try await browser.get("/dashboard/clients/\(own.client.uuidString.lowercased())")
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.text.contains("A-INV-1") && !page.text.contains("B-INV"))
            let csrf = try #require(DashboardBrowser.csrfToken(in: page.text))
            for route in Self.routes {
                let random = try await Self.send(browser, route, id: UUID(), csrf: csrf)
                let theirs = try await Self.send(browser, route, id: other.client, csrf: csrf)
                #expect(random.status == .notFound, "\(route.0) \(route.1): \(random.status)")
                #expect(theirs.status == random.status, "\(route.0) \(route.1)")
                #expect(theirs.text == random.text, "\(route.0) \(route.1): another tenant's id answers differently")
                #expect(!theirs.text.contains("B-C1") && !theirs.text.contains("Client of B"))
            }
            // Not a UUID: the same 404 page.
            let malformed = try await browser.get("/dashboard/clients/not-a-uuid")
            let random = try await browser.get("/dashboard/clients/\(UUID().uuidString.lowercased())")
            #expect(malformed.status == .notFound && malformed.text == random.text)
            // The lists show none of B's.
            for path in ["/dashboard/worklist", "/dashboard/dunning"] {
                let list = try await browser.get(path)
                #expect(list.status == .ok, "\(path): \(list.text)")
                #expect(!list.text.contains("B-C1"), "\(path)")
            }
        }
        #expect(try await Self.notes(fixture, fixture.b) == before, "something was written to B")
    }

    @Test func anAgencysSessionSeesAndWritesOnlyThePlacedAccounts() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_agency")
        let placed = try await IsolationTests.seed(fixture, fixture.a, prefix: "P")
        let unplaced = try await IsolationTests.seed(fixture, fixture.a, prefix: "U")
        let other = try await IsolationTests.seed(fixture, fixture.b, prefix: "B")
        let agencies = Agencies(database: fixture.service.service, tenant: fixture.a.tenant.id)
        _ = try await agencies.create(name: "Recoveries Inc", commissionBP: 1500, actor: "test")
        _ = try await agencies.place(clientRef: "P-C1", agency: "Recoveries Inc", on: CalendarDate("2024-02-01")!, actor: "test")
        let issued = try await ApiKeys(database: fixture.service.service).create(
            tenantSlug: fixture.a.tenant.slug, label: "agency", agency: "Recoveries Inc", actor: "test")
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            let signedIn = try await browser.signIn(issued.secret)
            #expect(signedIn.headers[.location] == "/dashboard/worklist")
            let list = try await browser.get("/dashboard/worklist")
            #expect(list.status == .ok, "\(list.text)")
            #expect(list.text.contains("P-C1"))
            #expect(!list.text.contains("U-C1") && !list.text.contains("B-C1"), "\(list.text)")
            #expect(list.text.contains("agency view"))
            // The lender's reports are not the agency's.
            #expect((try await browser.get("/dashboard")).headers[.location] == "/dashboard/worklist")
            #expect((try await browser.get("/dashboard/dunning")).status == .forbidden)

            let page = try await browser.get("/dashboard/clients/\(placed.client.uuidString.lowercased())")
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.text.contains("P-INV-1"))
            let csrf = try #require(DashboardBrowser.csrfToken(in: page.text))
            let note = try await browser.request(
                .post, "/dashboard/clients/\(placed.client.uuidString.lowercased())/notes",
                form: [("csrf_token", csrf), ("kind", "call"), ("outcome", "left_message"), ("body", "agency called")])
            #expect(note.status == .seeOther, "\(note.text)")
            #expect((try await browser.get("/dashboard/clients/\(placed.client.uuidString.lowercased())")).text.contains("agency called"))

            // The tenant's unplaced client and another tenant's: the 404 of a random id, on every route.
            for route in Self.routes {
                let random = try await Self.send(browser, route, id: UUID(), csrf: csrf)
                for seeded in [unplaced, other] {
                    let response = try await Self.send(browser, route, id: seeded.client, csrf: csrf)
                    #expect(response.status == .notFound, "\(route.0) \(route.1): \(response.status) \(response.text)")
                    #expect(response.text == random.text, "\(route.0) \(route.1)")
                }
            }
        }
        let unplacedNotes = try await fixture.service.service.withTenant(fixture.a.tenant.id) { tx in
            try await tx.query("""
                SELECT count(*) FROM contact_notes WHERE tenant_id = \(fixture.a.tenant.id) AND client_id = \(unplaced.client)
                """).scalar(Int.self)
        }
        #expect(unplacedNotes == 1, "only the seed's note")
    }
}
