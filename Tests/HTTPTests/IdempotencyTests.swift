import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// DESIGN.md "Idempotency": one key, one effect; the same key and body answer
/// the stored result marked `Idempotent-Replayed: true`; another body 422 with
/// nothing changed.
@Suite struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func payment(reference: String, amount: String = "25.00") -> String {
        #"{"client_ref":"C1","reference":"\#(reference)","currency":"USD","amount":"\#(amount)","received_on":"2024-02-01"}"#
    }

    static func prepare(_ fixture: HTTPFixture) async throws {
        let db = fixture.service.service
        _ = try await Clients(database: db, tenant: fixture.a.tenant.id).create(NewClient(ref: "C1", name: "One", currency: "USD"), actor: "t")
        _ = try await Invoices(database: db, tenant: fixture.a.tenant.id).create(
            NewInvoice(clientRef: "C1", number: "INV-1", amount: Money(amountMinor: 1000_00, currency: "USD"),
                       issuedOn: CalendarDate("2024-01-01")!), actor: "t")
    }

    @Test func fiftyConcurrentPostsWithOneKeyLeaveExactlyOnePayment() async throws {
        let fixture = try await HTTPFixture.make("http_idem_concurrent")
        try await Self.prepare(fixture)
        let body = Self.payment(reference: "PAY-1")
        try await fixture.application().test(.live) { client in
            let answers = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await client.send(.post, "/v1/payments", as: fixture.a, json: body, headers: [Self.key: "same-key-1"])
                        return (response.status.code, response.headers[Self.replayed], response.text)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 50)
            for (status, _, text) in answers { #expect(status == 201 || status == 409, "\(status) \(text)") }
            let fresh = answers.filter { $0.0 == 201 && $0.1 == nil }
            #expect(fresh.count == 1, "exactly one request posted: \(fresh.count)")
            // Every 201 is the same payment, byte for byte.
            #expect(Set(answers.filter { $0.0 == 201 }.map(\.2)).count == 1)
            #expect(answers.filter { $0.1 == "true" }.allSatisfy { $0.0 == 201 })
        }
        let payments = try await Payments(database: fixture.service.service, tenant: fixture.a.tenant.id).list().items
        #expect(payments.map(\.reference) == ["PAY-1"])
    }

    @Test func theSameKeyWithAnotherBodyIsRefusedAndChangesNothing() async throws {
        let fixture = try await HTTPFixture.make("http_idem_other_body")
        try await Self.prepare(fixture)
        try await fixture.test { client in
            let first = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-1"), headers: [Self.key: "k-1"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.headers[Self.replayed] == nil)
            let again = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-1"), headers: [Self.key: "k-1"])
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == "true")
            #expect(again.text == first.text)
            let other = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-2", amount: "99.00"), headers: [Self.key: "k-1"])
            try other.expectProblem(422)
            // Without a header the reference is the key.
            let byReference = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-3"))
            #expect(byReference.status == .created)
            let byReferenceAgain = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-3"))
            #expect(byReferenceAgain.headers[Self.replayed] == "true")
            let byReferenceOther = try await client.send(.post, "/v1/payments", as: fixture.a, json: Self.payment(reference: "PAY-3", amount: "1.00"))
            try byReferenceOther.expectProblem(422)
        }
        let payments = try await Payments(database: fixture.service.service, tenant: fixture.a.tenant.id).list().items
        #expect(payments.map(\.reference) == ["PAY-1", "PAY-3"])
        #expect(payments.map(\.amount.amountMinor) == [25_00, 25_00])
        let invoice = try await Invoices(database: fixture.service.service, tenant: fixture.a.tenant.id).get("INV-1", asOf: CalendarDate("2024-03-01")!)
        #expect(invoice.appliedMinor == 50_00)
    }

    @Test func everyOtherPostReplaysItsStoredAnswer() async throws {
        let fixture = try await HTTPFixture.make("http_idem_generic")
        try await Self.prepare(fixture)
        try await fixture.test { client in
            let body = #"{"ref":"C2","name":"Two"}"#
            let first = try await client.send(.post, "/v1/clients", as: fixture.a, json: body, headers: [Self.key: "c-1"])
            #expect(first.status == .created, "\(first.text)")
            let again = try await client.send(.post, "/v1/clients", as: fixture.a, json: body, headers: [Self.key: "c-1"])
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == "true")
            #expect(again.text == first.text)
            let other = try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C3","name":"Three"}"#, headers: [Self.key: "c-1"])
            try other.expectProblem(422)
            // The same key on another route is another request.
            let elsewhere = try await client.send(.post, "/v1/invoices", as: fixture.a,
                json: #"{"client_ref":"C2","number":"INV-9","currency":"USD","amount":"1.00","issued_on":"2024-01-01"}"#, headers: [Self.key: "c-1"])
            try elsewhere.expectProblem(422)
            // A refused request gives its key back: the corrected one may use it.
            let refused = try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C1","name":"Dup"}"#, headers: [Self.key: "c-2"])
            try refused.expectProblem(409)
            let corrected = try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C4","name":"Four"}"#, headers: [Self.key: "c-2"])
            #expect(corrected.status == .created, "\(corrected.text)")
            // Keys are per tenant: B's same key is B's own.
            let b = try await client.send(.post, "/v1/clients", as: fixture.b, json: body, headers: [Self.key: "c-1"])
            #expect(b.status == .created)
            #expect(b.headers[Self.replayed] == nil)
            // A bad key is a malformed request.
            try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C5","name":"Five"}"#, headers: [Self.key: "has space"]).expectProblem(400)
            try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C5","name":"Five"}"#, headers: [Self.key: String(repeating: "k", count: 256)]).expectProblem(400)
        }
        let refs = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id).list().items.map(\.ref)
        #expect(refs == ["C1", "C2", "C4"])
    }
}
