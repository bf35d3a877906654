import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `/v1/webhook-endpoints`: the CLI's `webhook` commands over HTTP, as the server's
/// login, each lender seeing only its own endpoints.
@Suite struct WebhookEndpointTests {
    static let fixture = Task<HTTPFixture, any Error> { try await HTTPFixture.make("webhookapi") }

    @Test func anEndpointIsCreatedWithItsSecretOnceListedWithoutItDisabledEnabledAndReplayed() async throws {
        let fixture = try await Self.fixture.value
        try await fixture.test { client in
            let created = try await client.send(
                .post, "/v1/webhook-endpoints", as: fixture.a,
                json: #"{"url": "https://hooks.lender.example/in", "events": ["payment.posted"]}"#)
            #expect(created.status == .created, "\(created.text)")
            let body = try created.json()
            let secret = try #require(body["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let endpoint = try #require(body["endpoint"] as? [String: Any])
            let id = try #require(endpoint["id"] as? String)
            #expect(endpoint["events"] as? [String] == ["payment.posted"])
            #expect(endpoint["status"] as? String == "active")

            let listed = try await client.send(.get, "/v1/webhook-endpoints", as: fixture.a)
            #expect(listed.status == .ok)
            #expect(listed.text.contains(id))
            #expect(!listed.text.contains(secret))
            // The other lender sees none of it, and its id is a plain 404 there.
            let others = try await client.send(.get, "/v1/webhook-endpoints", as: fixture.b)
            #expect(!others.text.contains(id))
            let foreign = try await client.send(.post, "/v1/webhook-endpoints/\(id)/disable", as: fixture.b, json: "{}")
            let missing = try await client.send(
                .post, "/v1/webhook-endpoints/\(UUID().uuidString.lowercased())/disable", as: fixture.b, json: "{}")
            #expect(foreign.status == .notFound)
            #expect(foreign.text == missing.text)

            let disabled = try await client.send(
                .post, "/v1/webhook-endpoints/\(id)/disable", as: fixture.a, json: #"{"reason": "maintenance"}"#)
            #expect(disabled.status == .ok, "\(disabled.text)")
            #expect(try disabled.json()["status"] as? String == "disabled")
            #expect(try disabled.json()["disabled_reason"] as? String == "maintenance")
            let enabled = try await client.send(.post, "/v1/webhook-endpoints/\(id)/enable", as: fixture.a)
            #expect(enabled.status == .ok, "\(enabled.text)")
            #expect(try enabled.json()["status"] as? String == "active")
            let replayed = try await client.send(.post, "/v1/webhook-endpoints/\(id)/replay", as: fixture.a, json: "{}")
            #expect(replayed.status == .ok, "\(replayed.text)")
            #expect(try replayed.json()["queued"] as? Int == 0)
        }
    }

    @Test func anEndpointThatIsNotAnHTTPURLIsRefusedAsInvalid() async throws {
        let fixture = try await Self.fixture.value
        try await fixture.test { client in
            let refused = try await client.send(.post, "/v1/webhook-endpoints", as: fixture.a, json: #"{"url": "ftp://x"}"#)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.headers[.contentType] == "application/problem+json")
            let unknown = try await client.send(
                .post, "/v1/webhook-endpoints", as: fixture.a, json: #"{"url": "https://x.example", "events": ["nope"]}"#)
            #expect(unknown.status == .badRequest || unknown.status == .unprocessableContent, "\(unknown.text)")
        }
    }
}
