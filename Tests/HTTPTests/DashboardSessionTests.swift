import CollectionsHTTP
import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// Signing in to the dashboard: every page redirects to the sign-in page
/// without a session; the sign-in form takes an API key (and its CSRF token)
/// for an HttpOnly, SameSite=Strict, expiring session cookie, Secure behind
/// TLS; the key appears in no answer; signing out, expiry and revoking the key
/// end the session; only the token's hash is stored.
@Suite struct DashboardSessionTests {
    static let pages = ["/dashboard", "/dashboard/worklist", "/dashboard/dunning",
                        "/dashboard/clients/\(UUID().uuidString.lowercased())"]

    @Test func withoutASessionEveryPageRedirectsToTheSignInPage() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_no_session")
        try await fixture.test { client in
            for path in Self.pages {
                let response = try await client.executeRequest(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .seeOther, "\(path): \(response.status)")
                #expect(response.headers[.location] == "/dashboard/login", "\(path)")
            }
            // A made-up session cookie opens nothing either.
            let forged = "ds_\(fixture.a.tenant.id.uuidString.lowercased().replacingOccurrences(of: "-", with: ""))_\(String(repeating: "ab", count: 32))"
            let response = try await client.executeRequest(
                uri: "/dashboard", method: .get, headers: [.cookie: "dashboard_session=\(forged)"], body: nil)
            #expect(response.headers[.location] == "/dashboard/login")
            // A form post without a session is not taken either.
            let post = try await client.executeRequest(
                uri: "/dashboard/clients/\(UUID().uuidString.lowercased())/notes", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: .init(string: "kind=call&outcome=refused"))
            #expect(post.status == .seeOther)
        }
    }

    @Test func anAPIKeyStartsAnHttpOnlyStrictExpiringSessionAndSigningOutOrRevokingTheKeyEndsIt() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_sessions")
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            // The sign-in form's CSRF token is required.
            let page = try await browser.get("/dashboard/login")
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"api_key\" type=\"password\""))
            let noToken = try await browser.request(.post, "/dashboard/login", form: [("api_key", fixture.a.key)])
            #expect(noToken.status == .forbidden, "\(noToken.text)")
            let wrongToken = try await browser.request(
                .post, "/dashboard/login", form: [("csrf_token", String(repeating: "0", count: 64)), ("api_key", fixture.a.key)])
            #expect(wrongToken.status == .forbidden)
            #expect(browser.cookies["dashboard_session"] == nil)

            // A wrong key: the form again, one answer for every refused key.
            let wrong = try await browser.signIn("ck_" + String(repeating: "0", count: 32) + "_" + String(repeating: "1", count: 48))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("That API key was not accepted."))
            let garbage = try await browser.signIn("not a key")
            #expect(garbage.status == .unauthorized)
            #expect(browser.cookies["dashboard_session"] == nil)

            // The right key: a session cookie, then the overview's redirect (no snapshot yet: said in words).
            let signedIn = try await browser.signIn(fixture.a.key)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/dashboard")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("dashboard_session=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=28800"] {
                #expect(cookie.contains(attribute), "\(cookie) lacks \(attribute)")
            }
            #expect(!cookie.contains("Secure"), "Secure on plain HTTP: the browser would drop it")
            let token = try #require(browser.cookies["dashboard_session"])
            #expect(!cookie.contains(fixture.a.key) && !(signedIn.headers[.location] ?? "").contains(fixture.a.key))
            let overview = try await browser.get("/dashboard")
            #expect(overview.status == .notFound, "no stored day yet: \(overview.text)")
            #expect(overview.text.contains("no stored snapshot"))
            #expect(!overview.text.contains(fixture.a.key))
            let worklist = try await browser.get("/dashboard/worklist")
            #expect(worklist.status == .ok, "\(worklist.text)")
            #expect(worklist.text.contains(fixture.a.tenant.name))

            // Only the token's hash is stored, with the key it came from.
            let stored = try await fixture.service.service.withTenant(fixture.a.tenant.id) { tx in
                try await tx.query("""
                    SELECT count(*) FILTER (WHERE s.token_hash = sha256(convert_to(\(token), 'UTF8'))),
                           count(*) FILTER (WHERE position(convert_to(\(token), 'UTF8') IN s.token_hash) > 0
                                              OR position(convert_to(\(token), 'UTF8') IN s.csrf_secret) > 0),
                           count(*) FILTER (WHERE s.api_key_id = k.id)
                    FROM dashboard_sessions s JOIN api_keys k ON k.tenant_id = s.tenant_id
                    WHERE s.tenant_id = \(fixture.a.tenant.id)
                    """).decode((Int, Int, Int).self)[0]
            }
            #expect(stored == (1, 0, 1), "hashed once, the token itself nowhere, tied to its key")

            // Signing out needs the session's CSRF token, then ends it.
            let noCSRF = try await browser.request(.post, "/dashboard/logout", form: [])
            #expect(noCSRF.status == .forbidden)
            #expect((try await browser.get("/dashboard/worklist")).status == .ok)
            let csrf = try #require(DashboardBrowser.csrfToken(in: worklist.text))
            let out = try await browser.request(.post, "/dashboard/logout", form: [("csrf_token", csrf)])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/dashboard/login")
            #expect(browser.cookies["dashboard_session"] == nil)
            // The old token is dead even if a browser kept it.
            let replay = try await client.executeRequest(
                uri: "/dashboard/worklist", method: .get, headers: [.cookie: "dashboard_session=\(token)"], body: nil)
            #expect(replay.status == .seeOther)

            // Behind TLS the cookie is Secure.
            let tls = DashboardBrowser(client)
            let form = try await tls.request(.get, "/dashboard/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            let tlsToken = try #require(DashboardBrowser.csrfToken(in: form.text))
            let secure = try await tls.request(
                .post, "/dashboard/login", form: [("csrf_token", tlsToken), ("api_key", fixture.a.key)],
                headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(secure.headers[values: .setCookie].contains { $0.hasPrefix("dashboard_session=") && $0.contains("; Secure") })
            #expect((try await tls.get("/dashboard/worklist")).status == .ok)

            // Revoking the key ends its sessions at once.
            let key = try #require(try await ApiKeys(database: fixture.service.service).list(tenantSlug: fixture.a.tenant.slug).first)
            _ = try await ApiKeys(database: fixture.service.service).revoke(
                tenantSlug: fixture.a.tenant.slug, keyID: key.prefix, actor: "test")
            let revoked = try await tls.get("/dashboard/worklist")
            #expect(revoked.status == .seeOther)
            #expect(revoked.headers[.location] == "/dashboard/login")
        }
    }

    @Test func anExpiredSessionOpensNothing() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_expiry")
        let app = Application(router: try LenderAPI.router(
            database: fixture.server, limits: HTTPLimits(requestsPerSecond: 10_000, burst: 10_000),
            dashboardSessionLifetime: .seconds(1)))
        try await app.test(.router) { client in
            let browser = DashboardBrowser(client)
            try await browser.signIn(fixture.a.key)
            #expect((try await browser.get("/dashboard/worklist")).status == .ok)
            try await Task.sleep(for: .milliseconds(1500))
            let expired = try await browser.get("/dashboard/worklist")
            #expect(expired.status == .seeOther)
        }
    }
}
