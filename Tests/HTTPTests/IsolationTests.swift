import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// Tenant A's key with tenant B's ids: for every route that takes an id, the
/// answer is exactly the bytes of the answer for an id that exists nowhere, and
/// nothing of B's changes; A's lists never hold B's rows; every kind of bad key
/// gets the same 401; a suspended tenant 403.
@Suite struct IsolationTests {
    struct Seeded {
        var client: UUID
        var invoice: UUID
        var payment: UUID

        enum Kind: Sendable { case client, invoice, payment }

        subscript(kind: Kind) -> UUID {
            switch kind {
            case .client: client
            case .invoice: invoice
            case .payment: payment
            }
        }
    }

    static func seed(_ fixture: HTTPFixture, _ lender: HTTPFixture.Lender, prefix: String) async throws -> Seeded {
        let db = fixture.service.service
        let id = lender.tenant.id
        let client = try await Clients(database: db, tenant: id).create(NewClient(ref: "\(prefix)-C1", name: "Client of \(prefix)", currency: "USD"), actor: "test")
        let invoice = try await Invoices(database: db, tenant: id).create(
            NewInvoice(clientRef: client.ref, number: "\(prefix)-INV-1", amount: Money(amountMinor: 100_00, currency: "USD"),
                       issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
        _ = try await Invoices(database: db, tenant: id).create(
            NewInvoice(clientRef: client.ref, number: "\(prefix)-INV-2", amount: Money(amountMinor: 50_00, currency: "USD"),
                       issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
        let payment = try await Payments(database: db, tenant: id).post(
            PaymentRequest(clientRef: client.ref, reference: "\(prefix)-PAY-1", amount: Money(amountMinor: 10_00, currency: "USD"),
                           receivedOn: CalendarDate("2024-01-10")!,
                           allocation: .explicit([InvoiceAmount(invoiceNumber: invoice.number, amount: Money(amountMinor: 10_00, currency: "USD"))])),
            idempotencyKey: "\(prefix)-PAY-1", actor: "test")
        _ = try await ContactNotes(database: db, tenant: id).add(
            NewContactNote(clientRef: client.ref, channel: .call, body: "called \(prefix)"), actor: "test")
        return Seeded(client: client.id, invoice: invoice.id, payment: payment.payment.id)
    }

    /// Every route with an id, as (method, path with {id}, body).
    static let routes: [(HTTPRequest.Method, String, String?, Seeded.Kind)] = [
        (.get, "/v1/clients/{id}", nil, .client),
        (.patch, "/v1/clients/{id}", #"{"name":"taken over"}"#, .client),
        (.get, "/v1/clients/{id}/notes", nil, .client),
        (.post, "/v1/clients/{id}/notes", #"{"channel":"call","body":"hello"}"#, .client),
        (.get, "/v1/clients/{id}/holds", nil, .client),
        (.post, "/v1/clients/{id}/holds", #"{"kind":"attorney","starts_on":"2024-02-01"}"#, .client),
        (.get, "/v1/clients/{id}/consents", nil, .client),
        (.post, "/v1/clients/{id}/consents", #"{"channel":"sms","granted":true,"source":"taken over"}"#, .client),
        (.get, "/v1/invoices/{id}", nil, .invoice),
        (.post, "/v1/invoices/{id}/void", #"{"date":"2024-02-01","reason":"gone"}"#, .invoice),
        (.post, "/v1/invoices/{id}/write-offs", #"{"date":"2024-02-01","reason":"gone"}"#, .invoice),
        (.post, "/v1/invoices/{id}/disputes", #"{"date":"2024-02-01","reason":"gone"}"#, .invoice),
        (.post, "/v1/invoices/{id}/disputes/resolution", #"{"date":"2024-02-02","outcome":"rejected","resolution":"gone"}"#, .invoice),
        (.get, "/v1/payments/{id}", nil, .payment),
        (.post, "/v1/payments/{id}/reversal", #"{"date":"2024-02-01","reason":"bounced"}"#, .payment),
    ]

    @Test func anotherTenantsIdGetsExactlyTheBytesOfAnIdThatDoesNotExist() async throws {
        let fixture = try await HTTPFixture.make("http_isolation_ids")
        let seededB = try await Self.seed(fixture, fixture.b, prefix: "B")
        _ = try await Self.seed(fixture, fixture.a, prefix: "A")
        let before = try await Self.snapshot(fixture, fixture.b)
        try await fixture.test { client in
            for (method, template, body, id) in Self.routes {
                let foreign = try await client.send(method, template.replacingOccurrences(of: "{id}", with: seededB[id].uuidString.lowercased()), as: fixture.a, json: body)
                let random = try await client.send(method, template.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased()), as: fixture.a, json: body)
                try random.expectProblem(404)
                #expect(foreign.status == random.status, "\(method) \(template)")
                #expect(foreign.text == random.text, "\(method) \(template): \(foreign.text) vs \(random.text)")
                #expect(foreign.headers[.contentType] == random.headers[.contentType])
                #expect(foreign.headers[.contentLength] == random.headers[.contentLength])
                // B's own key sees its row: the 404 was isolation, not a broken route.
                if method == .get {
                    let own = try await client.send(method, template.replacingOccurrences(of: "{id}", with: seededB[id].uuidString.lowercased()), as: fixture.b)
                    #expect(own.status == .ok, "\(template) as B: \(own.text)")
                }
            }
        }
        #expect(try await Self.snapshot(fixture, fixture.b) == before, "B's rows changed under A's key")
    }

    @Test func listsNeverHoldAnotherTenantsRows() async throws {
        let fixture = try await HTTPFixture.make("http_isolation_lists")
        let seededA = try await Self.seed(fixture, fixture.a, prefix: "A")
        let seededB = try await Self.seed(fixture, fixture.b, prefix: "B")
        try await fixture.test { client in
            let bIDs = [seededB.client, seededB.invoice, seededB.payment].map { $0.uuidString.lowercased() }
            for path in ["/v1/clients", "/v1/invoices", "/v1/payments", "/v1/clients?ref=B-C1",
                         "/v1/clients/\(seededA.client.uuidString.lowercased())/notes"] {
                let response = try await client.send(.get, path, as: fixture.a)
                #expect(response.status == .ok, "\(path): \(response.text)")
                let data = try #require(try response.json()["data"] as? [[String: Any]])
                #expect(path.contains("ref=B") ? data.isEmpty : !data.isEmpty, "\(path)")
                for row in data {
                    #expect(!bIDs.contains(row["id"] as? String ?? ""), "\(path) holds B's row")
                    for value in row.values { #expect(!"\(value)".hasPrefix("B-"), "\(path) holds B's value \(value)") }
                }
                #expect(!response.text.contains("B-"), "\(path): \(response.text)")
            }
        }
    }

    @Test func everyKindOfBadKeyGetsTheSameUnauthorizedAnswer() async throws {
        let fixture = try await HTTPFixture.make("http_isolation_keys")
        let revoked = try await ApiKeys(database: fixture.service.service).create(tenantSlug: fixture.a.tenant.slug, label: "old", actor: "test")
        _ = try await ApiKeys(database: fixture.service.service).revoke(tenantSlug: fixture.a.tenant.slug, keyID: revoked.key.prefix, actor: "test")
        let aHex = fixture.a.tenant.id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let unknownTenant = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let wrongSecret = "ck_\(aHex)_\(revoked.secret.suffix(48).prefix(8))" + String(repeating: "0", count: 40)
        let headers: [(String, HTTPFields)] = [
            ("missing", [:]),
            ("empty bearer", [.authorization: "Bearer "]),
            ("not bearer", [.authorization: "Basic \(Data("a:b".utf8).base64EncodedString())"]),
            ("malformed", [.authorization: "Bearer ck_nothex_nothex"]),
            ("unknown tenant", [.authorization: "Bearer ck_\(unknownTenant)_\(String(repeating: "a", count: 48))"]),
            ("wrong secret", [.authorization: "Bearer \(wrongSecret)"]),
            ("revoked", [.authorization: "Bearer \(revoked.secret)"]),
            ("another tenant's key id with A's tenant", [.authorization: "Bearer ck_\(aHex)_\(fixture.b.key.suffix(48))"]),
            ("CRLF inside", [.authorization: "Bearer \(fixture.a.key)\r\nX-Evil: 1"]),
        ]
        try await fixture.test { client in
            var bodies: Set<String> = []
            for (name, fields) in headers {
                for path in ["/v1/clients", "/v1/reports/kpis"] {
                    let response = try await client.send(.get, path, as: nil, headers: fields)
                    try response.expectProblem(401)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(name)")
                    bodies.insert(response.text)
                }
            }
            #expect(bodies.count == 1, "401 bodies differ: \(bodies)")
            // The good key still works.
            #expect(try await client.send(.get, "/v1/clients", as: fixture.a).status == .ok)
        }
    }

    @Test func aSuspendedTenantGetsForbidden() async throws {
        let fixture = try await HTTPFixture.make("http_isolation_suspended")
        try await fixture.test { client in
            let before = try await client.send(.get, "/v1/clients", as: fixture.a)
            #expect(before.status == .ok)
        }
        _ = try await TenantRegistry(database: fixture.service.service).suspend(fixture.a.tenant.slug, actor: "test")
        try await fixture.test { client in
            for (method, path, body) in [(HTTPRequest.Method.get, "/v1/clients", nil as String?), (.get, "/v1/reports/kpis", nil),
                                         (.post, "/v1/clients", #"{"ref":"X","name":"X"}"#)] {
                let response = try await client.send(method, path, as: fixture.a, json: body)
                try response.expectProblem(403)
            }
            // B is untouched by A's suspension.
            #expect(try await client.send(.get, "/v1/clients", as: fixture.b).status == .ok)
        }
        _ = try await TenantRegistry(database: fixture.service.service).resume(fixture.a.tenant.slug, actor: "test")
        #expect(try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id).list().items.isEmpty)
    }

    /// What B has, read as B: clients, invoices with states, payments, notes.
    static func snapshot(_ fixture: HTTPFixture, _ lender: HTTPFixture.Lender) async throws -> String {
        let db = fixture.service.service
        let id = lender.tenant.id
        let clients = try await Clients(database: db, tenant: id).list().items.map { "\($0.ref) \($0.name)" }
        let invoices = try await Invoices(database: db, tenant: id).list().items.map {
            "\($0.invoice.number) \($0.balance.amountMinor) \($0.status) \($0.disputed) \($0.invoice.voidedOn.map { "\($0)" } ?? "-")"
        }
        let payments = try await Payments(database: db, tenant: id).list().items.map { "\($0.reference) \($0.reversedOn.map { "\($0)" } ?? "-")" }
        var notes: [String] = []
        for ref in try await Clients(database: db, tenant: id).list().items.map(\.ref) {
            notes += try await ContactNotes(database: db, tenant: id).list(clientRef: ref).items.map { $0.body ?? "" }
            notes += try await ClientHolds(database: db, tenant: id).list(clientRef: ref).map { "hold \($0.kind)" }
            notes += try await ContactPermissions(database: db, tenant: id).list(clientRef: ref).map { "consent \($0.source)" }
        }
        return (clients + invoices + payments + notes).joined(separator: "\n")
    }
}
