import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Postgres
import Testing
import TestSupport

/// Each kind of bad input gets a problem document with its status, and writes
/// nothing; no answer holds SQL, a SQLSTATE or a stack.
@Suite struct BadInputTests {
    static let invoice = #"{"client_ref":"C1","number":"INV-1","currency":"USD","amount":"10.00","issued_on":"2024-01-01"}"#

    struct Case: Sendable {
        var name: String
        var method: HTTPRequest.Method = .post
        var path: String
        var body: ByteBuffer?
        var headers: HTTPFields = [.contentType: "application/json"]
        var status: Int
    }

    static func cases(client: UUID) -> [Case] {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        var invalidUTF8 = ByteBuffer(string: #"{"ref":"C9","name":""#)
        invalidUTF8.writeBytes([0xC3, 0x28, 0xFF])
        invalidUTF8.writeString(#""}"#)
        return [
            Case(name: "malformed JSON", path: "/v1/clients", body: ByteBuffer(string: #"{"ref": "C9", "name": "#), status: 400),
            Case(name: "wrong types", path: "/v1/clients", body: ByteBuffer(string: #"{"ref": 12, "name": ["x"]}"#), status: 400),
            Case(name: "a missing field", path: "/v1/clients", body: ByteBuffer(string: #"{"ref": "C9"}"#), status: 400),
            Case(name: "an unknown field", path: "/v1/clients", body: ByteBuffer(string: #"{"ref": "C9", "name": "x", "tenant_id": "x"}"#), status: 400),
            Case(name: "12.345 USD", path: "/v1/invoices", body: ByteBuffer(string: invoice.replacingOccurrences(of: "10.00", with: "12.345")), status: 422),
            Case(name: "an amount with an exponent", path: "/v1/invoices", body: ByteBuffer(string: invoice.replacingOccurrences(of: "10.00", with: "1e3")), status: 422),
            Case(name: "amount as a number", path: "/v1/invoices", body: ByteBuffer(string: invoice.replacingOccurrences(of: #""10.00""#, with: "10.5")), status: 400),
            Case(name: "2013-02-30", path: "/v1/invoices", body: ByteBuffer(string: invoice.replacingOccurrences(of: "2024-01-01", with: "2013-02-30")), status: 422),
            Case(name: "an unknown currency", path: "/v1/invoices", body: ByteBuffer(string: invoice.replacingOccurrences(of: "USD", with: "XXQ")), status: 422),
            Case(name: "a 30 MB body", path: "/v1/clients", body: ByteBuffer(repeating: UInt8(ascii: " "), count: 30 << 20), status: 413),
            Case(name: "a 30 MB import", path: "/v1/imports/clients", body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 30 << 20),
                 headers: [.contentType: "text/csv"], status: 413),
            Case(name: "the wrong content type", path: "/v1/clients", body: ByteBuffer(string: #"{"ref":"C9","name":"x"}"#),
                 headers: [.contentType: "text/plain"], status: 415),
            Case(name: "no content type", path: "/v1/clients", body: ByteBuffer(string: #"{"ref":"C9","name":"x"}"#), headers: [:], status: 415),
            Case(name: "JSON to an import", path: "/v1/imports/clients", body: ByteBuffer(string: #"{"ref":"C9"}"#), status: 415),
            Case(name: "deeply nested JSON", path: "/v1/clients", body: ByteBuffer(string: #"{"ref":"C9","name":\#(deep)}"#), status: 400),
            Case(name: "invalid UTF-8", path: "/v1/clients", body: invalidUTF8, status: 400),
            Case(name: "a limit of 100000", method: .get, path: "/v1/clients?limit=100000", headers: [:], status: 400),
            Case(name: "an id that is not a UUID", method: .get, path: "/v1/clients/12345", headers: [:], status: 400),
            Case(name: "an id that is not a UUID, in a write", path: "/v1/invoices/'%20OR%201=1--/void",
                 body: ByteBuffer(string: #"{"date":"2024-01-01","reason":"x"}"#), status: 400),
            Case(name: "CRLF in a header value", path: "/v1/clients", body: ByteBuffer(string: #"{"ref":"C9","name":"x"}"#),
                 headers: [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "a\r\nSet-Cookie: x=1"], status: 400),
            Case(name: "a non-UTF-8 CSV", path: "/v1/imports/clients", body: ByteBuffer(bytes: Array("ref,name\nC9,".utf8) + [0xFF, 0xFE, 0x0A]),
                 headers: [.contentType: "text/csv"], status: 422),
            Case(name: "a CSV with a bad row", path: "/v1/imports/invoices",
                 body: ByteBuffer(string: "client_ref,number,currency,amount,issued_on\nC1,INV-5,USD,12.345,2024-01-01\n"),
                 headers: [.contentType: "text/csv"], status: 422),
            Case(name: "an as_of that is not a date", method: .get, path: "/v1/reports/kpis?as_of=2013-02-30", headers: [:], status: 400),
            Case(name: "an unknown route", method: .get, path: "/v1/nothing", headers: [:], status: 404),
            Case(name: "an unknown import kind", path: "/v1/imports/tenants", body: ByteBuffer(string: "a\n"), headers: [.contentType: "text/csv"], status: 400),
            Case(name: "a date with month 13", path: "/v1/invoices/\(client.uuidString)/void",
                 body: ByteBuffer(string: #"{"date":"2024-13-01","reason":"x"}"#), status: 422),
        ]
    }

    @Test func eachBadInputIsAProblemWithItsStatusAndWritesNothing() async throws {
        let fixture = try await HTTPFixture.make("http_bad_input")
        let client = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id)
            .create(NewClient(ref: "C1", name: "One", currency: "USD"), actor: "t")
        let before = try await IsolationTests.snapshot(fixture, fixture.a)
        try await fixture.test { http in
            for test in Self.cases(client: client.id) {
                var headers = test.headers
                headers[.authorization] = "Bearer \(fixture.a.key)"
                let response = try await http.executeRequest(uri: test.path, method: test.method, headers: headers, body: test.body)
                #expect(response.status.code == test.status, "\(test.name): \(response.status.code) \(String(buffer: response.body).prefix(300))")
                #expect(response.headers[.contentType] == "application/problem+json", "\(test.name)")
                ResponseSafety.expectSafe(response)
                let problem = try response.json()
                #expect(problem["status"] as? Int == test.status, "\(test.name)")
                #expect(problem["title"] is String && problem["detail"] is String && problem["type"] is String, "\(test.name)")
            }
        }
        #expect(try await IsolationTests.snapshot(fixture, fixture.a) == before)
    }

    @Test func validationProblemsNameTheirFieldOrLine() async throws {
        let fixture = try await HTTPFixture.make("http_bad_input_fields")
        _ = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id)
            .create(NewClient(ref: "C1", name: "One", currency: "USD"), actor: "t")
        try await fixture.test { http in
            let amount = try await http.send(.post, "/v1/invoices", as: fixture.a, json: Self.invoice.replacingOccurrences(of: "10.00", with: "12.345"))
            let amountErrors = try #require(try amount.expectProblem(422)["errors"] as? [[String: Any]])
            #expect(amountErrors.first?["field"] as? String == "amount")
            #expect((amountErrors.first?["reason"] as? String)?.contains("more decimals") == true)
            let date = try await http.send(.post, "/v1/invoices", as: fixture.a, json: Self.invoice.replacingOccurrences(of: "2024-01-01", with: "2013-02-30"))
            #expect((try date.expectProblem(422)["errors"] as? [[String: Any]])?.first?["field"] as? String == "issued_on")
            let csv = try await http.executeRequest(
                uri: "/v1/imports/invoices", method: .post,
                headers: [.authorization: "Bearer \(fixture.a.key)", .contentType: "text/csv"],
                body: ByteBuffer(string: "client_ref,number,currency,amount,issued_on\nC1,INV-5,USD,1.00,2024-01-01\nC1,INV-6,USD,12.345,2024-01-01\nC9,INV-7,USD,1.00,2024-01-01\n"))
            let rows = try #require(try csv.expectProblem(422)["errors"] as? [[String: Any]])
            #expect(rows.map { $0["line"] as? Int } == [3, 4], "\(rows)")
            #expect(rows.first?["column"] as? String == "amount")
            // All or nothing: the good row was not imported either.
            let list = try await http.send(.get, "/v1/invoices", as: fixture.a)
            #expect((try list.json()["data"] as? [Any])?.isEmpty == true)
        }
    }

    /// Found by the contract check's fuzzing: a NUL byte in a client's time zone
    /// reached the zone lookup and came back as a 500.
    @Test func aTimeZoneWithANulByteIsRefusedAs422NotA500() async throws {
        let fixture = try await HTTPFixture.make("http_bad_zone")
        try await fixture.test { http in
            let created = try await http.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref": "TZ-NUL", "name": "Zone"}"#)
            let id = try #require(try created.json()["id"] as? String)
            let patched = try await http.send(.patch, "/v1/clients/\(id)", as: fixture.a, json: #"{"time_zone": "America/Chi\u0000cago"}"#)
            #expect(patched.status == .unprocessableContent, "\(patched.text)")
            let posted = try await http.send(
                .post, "/v1/clients", as: fixture.a, json: #"{"ref": "TZ-NUL2", "name": "Zone", "time_zone": "\u0000"}"#)
            #expect(posted.status == .unprocessableContent, "\(posted.text)")
        }
    }

    /// Found by the contract check's fuzzing: a blank consent address was read as
    /// "all of the client's addresses" and accepted.
    @Test func aBlankConsentAddressIsRefusedAs422() async throws {
        let fixture = try await HTTPFixture.make("http_bad_consent")
        try await fixture.test { http in
            let created = try await http.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref": "CONSENT", "name": "Consent"}"#)
            let id = try #require(try created.json()["id"] as? String)
            for address in [#""""#, #"" ""#, #""\u0085""#] {
                let refused = try await http.send(
                    .post, "/v1/clients/\(id)/consents", as: fixture.a,
                    json: #"{"channel": "email", "granted": true, "source": "web", "address": "# + address + "}")
                #expect(refused.status == .unprocessableContent || refused.status == .badRequest, "\(address): \(refused.text)")
            }
            let whole = try await http.send(
                .post, "/v1/clients/\(id)/consents", as: fixture.a, json: #"{"channel": "email", "granted": true, "source": "web"}"#)
            #expect(whole.status == .created, "\(whole.text)")
        }
    }
}
