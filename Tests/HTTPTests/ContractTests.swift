@testable import CollectionsHTTP
import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Postgres
import Testing
import TestSupport

/// The answers conform to the OpenAPI document: each success decodes as the
/// type generated from its schema (required fields, types, enums), each
/// failure as a Problem; the document served and embedded is the file's.
/// (schemathesis checks the same against a live server in deploy/local/test.sh.)
@Suite struct ContractTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi/openapi.yaml")

    @discardableResult
    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> T? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: response.data)
        } catch {
            Issue.record("\(response.status.code) does not conform to \(T.self): \(error)\n\(response.text)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func everyAnswerConformsToItsSchema() async throws {
        let fixture = try await HTTPFixture.make("http_contract")
        try await fixture.test { client in
            let key = HTTPField.Name("Idempotency-Key")!
            let created = try await client.send(.post, "/v1/clients", as: fixture.a,
                json: #"{"ref":"C1","name":"One","email":"ap@one.test","payment_terms_days":14,"credit_limit":"500.00","currency":"USD"}"#)
            Self.decode(Components.Schemas.Client.self, created)
            let clientID = try #require(try created.json()["id"] as? String)
            let bare = try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"C2","name":"Two"}"#)
            Self.decode(Components.Schemas.Client.self, bare)
            Self.decode(Components.Schemas.Client.self, try await client.send(.get, "/v1/clients/\(clientID)", as: fixture.a))
            Self.decode(Components.Schemas.Client.self, try await client.send(.patch, "/v1/clients/\(clientID)", as: fixture.a, json: #"{"name":"Uno","do_not_contact":false}"#))
            Self.decode(Components.Schemas.ClientList.self, try await client.send(.get, "/v1/clients?limit=1", as: fixture.a))
            Self.decode(Components.Schemas.ClientList.self, try await client.send(.get, "/v1/clients?ref=C1", as: fixture.a))

            let invoice = try await client.send(.post, "/v1/invoices", as: fixture.a,
                json: #"{"client_ref":"C1","number":"INV-1","currency":"USD","amount":"100.00","issued_on":"2024-01-01","due_on":"2024-01-31"}"#)
            #expect(invoice.status == .created, "\(invoice.text)")
            Self.decode(Components.Schemas.Invoice.self, invoice)
            let invoiceID = try #require(try invoice.json()["id"] as? String)
            #expect(try invoice.json()["amount_minor"] as? Int == 100_00)
            let second = try await client.send(.post, "/v1/invoices", as: fixture.a,
                json: #"{"client_ref":"C1","number":"INV-2","currency":"USD","amount":"20.00","issued_on":"2024-01-01"}"#)
            let secondID = try #require(try second.json()["id"] as? String)
            Self.decode(Components.Schemas.Invoice.self, try await client.send(.get, "/v1/invoices/\(invoiceID)", as: fixture.a))
            Self.decode(Components.Schemas.InvoiceList.self, try await client.send(.get, "/v1/invoices", as: fixture.a))
            let writeOff = try await client.send(.post, "/v1/invoices/\(invoiceID)/write-offs", as: fixture.a,
                json: #"{"date":"2024-03-01","reason":"small balance","amount":"10.00"}"#, headers: [key: "w-1"])
            #expect(writeOff.status == .created, "\(writeOff.text)")
            Self.decode(Components.Schemas.WriteOff.self, writeOff)
            let dispute = try await client.send(.post, "/v1/invoices/\(invoiceID)/disputes", as: fixture.a,
                json: #"{"date":"2024-03-02","reason":"two units arrived broken","reason_code":"goods_or_service","amount":"20.00"}"#)
            #expect(dispute.status == .created, "\(dispute.text)")
            #expect(Self.decode(Components.Schemas.Dispute.self, dispute)?.amountMinor == 20_00)
            let disputed = Self.decode(Components.Schemas.Invoice.self, try await client.send(.get, "/v1/invoices/\(invoiceID)", as: fixture.a))
            #expect(disputed?.disputedMinor == 20_00)
            let resolved = try await client.send(.post, "/v1/invoices/\(invoiceID)/disputes/resolution", as: fixture.a,
                json: #"{"date":"2024-03-05","outcome":"credit_note","resolution":"credited the broken units"}"#)
            #expect(resolved.status == .ok, "\(resolved.text)")
            let upheld = Self.decode(Components.Schemas.Dispute.self, resolved)
            #expect(upheld?.outcome == .creditNote)
            #expect(upheld?.writeOffId != nil)
            let void = try await client.send(.post, "/v1/invoices/\(secondID)/void", as: fixture.a, json: #"{"date":"2024-01-05","reason":"issued twice"}"#)
            #expect(void.status == .ok, "\(void.text)")
            Self.decode(Components.Schemas.Invoice.self, void)
            #expect(try void.json()["status"] as? String == "void")

            let payment = try await client.send(.post, "/v1/payments", as: fixture.a,
                json: #"{"client_ref":"C1","reference":"PAY-1","currency":"USD","amount":"30.00","received_on":"2024-02-01","invoice_number":"INV-1"}"#)
            #expect(payment.status == .created, "\(payment.text)")
            Self.decode(Components.Schemas.Payment.self, payment)
            let paymentID = try #require(try payment.json()["id"] as? String)
            Self.decode(Components.Schemas.Payment.self, try await client.send(.get, "/v1/payments/\(paymentID)", as: fixture.a))
            Self.decode(Components.Schemas.PaymentList.self, try await client.send(.get, "/v1/payments", as: fixture.a))
            let reversal = try await client.send(.post, "/v1/payments/\(paymentID)/reversal", as: fixture.a, json: #"{"date":"2024-02-10","reason":"bounced"}"#)
            #expect(reversal.status == .ok, "\(reversal.text)")
            Self.decode(Components.Schemas.Payment.self, reversal)
            #expect(try reversal.json()["reversed_on"] as? String == "2024-02-10")

            let note = try await client.send(.post, "/v1/clients/\(clientID)/notes", as: fixture.a,
                json: #"{"channel":"call","author":"ann","body":"will pay","outcome":"promise_to_pay","promise_amount":"50.00","promise_date":"2024-03-15","satisfaction":4,"noted_at":"2024-03-01T10:00:00Z"}"#)
            #expect(note.status == .created, "\(note.text)")
            Self.decode(Components.Schemas.Note.self, note)
            #expect(try note.json()["promise_amount_minor"] as? Int == 50_00)
            Self.decode(Components.Schemas.NoteList.self, try await client.send(.get, "/v1/clients/\(clientID)/notes", as: fixture.a))

            let imported = try await client.executeRequest(
                uri: "/v1/imports/clients", method: .post,
                headers: [.authorization: "Bearer \(fixture.a.key)", .contentType: "text/csv"], body: ByteBuffer(string: "ref,name\nC3,Three\n"))
            Self.decode(Components.Schemas.ImportSummary.self, imported)

            for problem in [
                try await client.send(.get, "/v1/clients/\(UUID())", as: fixture.a),
                try await client.send(.get, "/v1/clients", as: nil),
                try await client.send(.post, "/v1/clients", as: fixture.a, json: "{"),
                try await client.send(.get, "/v1/reports/kpis", as: fixture.a),
            ] {
                #expect(problem.status.code >= 400)
                Self.decode(Components.Schemas.Problem.self, problem)
            }
        }
    }

    @Test func theDocumentServedAndEmbeddedIsTheFile() async throws {
        let file = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == file, "run deploy/dev/embed-openapi.sh")
        let fixture = try await HTTPFixture.make("http_contract_document")
        try await fixture.test { client in
            let served = try await client.send(.get, "/openapi.yaml", as: nil)
            #expect(served.status == .ok)
            #expect(served.text == file)
            let health = try await client.send(.get, "/healthz", as: nil)
            #expect(health.status == .ok)
            let ready = try await client.send(.get, "/readyz", as: nil)
            #expect(ready.status == .ok, "\(ready.text)")
        }
    }
}
