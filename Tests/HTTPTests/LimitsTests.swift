@testable import CollectionsHTTP
import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// The per-key rate limit (429 with Retry-After, per key, not per tenant's
/// neighbour) and the request timeout (503, nothing written).
@Suite struct LimitsTests {
    @Test func aKeyOverItsRateGetsTooManyRequestsWithRetryAfter() async throws {
        let fixture = try await HTTPFixture.make("http_limits_rate")
        try await fixture.test(limits: HTTPLimits(requestsPerSecond: 0.01, burst: 3)) { client in
            for _ in 0..<3 {
                let allowed = try await client.send(.get, "/v1/clients", as: fixture.a)
                #expect(allowed.status == .ok)
            }
            let refused = try await client.send(.get, "/v1/clients", as: fixture.a)
            try refused.expectProblem(429)
            let retry = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            // One token per 100 s: the wait is at most that, and never 0.
            #expect((1...100).contains(retry), "Retry-After \(retry)")
            // Another key has its own bucket.
            let other = try await client.send(.get, "/v1/clients", as: fixture.b)
            #expect(other.status == .ok)
        }
    }

    @Test func theBucketRefillsAtItsRate() {
        let limiter = RateLimiter(requestsPerSecond: 2, burst: 1)
        let start = ContinuousClock.now
        #expect(limiter.take("k", now: start) == nil)
        #expect(limiter.take("k", now: start) == 1)
        #expect(limiter.take("k", now: start + .milliseconds(600)) == nil)
        #expect(limiter.take("k", now: start + .milliseconds(700)) != nil)
    }

    @Test func aRequestPastItsTimeoutIsUnavailableAndWritesNothing() async throws {
        let fixture = try await HTTPFixture.make("http_limits_timeout")
        let client = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id)
            .create(NewClient(ref: "C1", name: "Before"), actor: "t")
        // A superuser's transaction holds the client's row, so the change waits on it.
        let holder = try await fixture.service.database.connect()
        try await holder.simpleQuery("BEGIN")
        try await holder.query("SELECT 1 FROM clients WHERE tenant_id = \(fixture.a.tenant.id) AND id = \(client.id) FOR UPDATE")
        let limits = HTTPLimits(requestsPerSecond: 1000, burst: 1000, requestTimeout: .milliseconds(500))
        try await fixture.test(limits: limits) { http in
            let response = try await http.send(.patch, "/v1/clients/\(client.id.uuidString.lowercased())", as: fixture.a, json: #"{"name":"After"}"#)
            try response.expectProblem(503)
            #expect(response.headers[.retryAfter] != nil)
        }
        try await holder.simpleQuery("ROLLBACK")
        await holder.close()
        // The abandoned change must not land once the lock is gone.
        try await Task.sleep(for: .seconds(1))
        #expect(try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id).get("C1").name == "Before")
    }
}
