import AsyncHTTPClient
import CollectionsService
import Foundation
import NIOCore
import NIOHTTP1
import Postgres
import Testing
import TestSupport

/// The dashboard on the real `collections-server serve` over real HTTP: a
/// browser's round trip (redirect, sign-in form, session cookie, a page, sign
/// out), after which the server's log holds neither the API key nor the
/// session's token, though it logged every request.
@Suite struct DashboardServerTests {
    @Test func theRealServerSignsInOverHTTPAndLogsNeitherTheKeyNorTheSessionToken() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_server")
        _ = try await IsolationTests.seed(fixture, fixture.a, prefix: "A")
        let server = try await ServerProcessTests.start(databaseURL: fixture.service.database.url(as: .server))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let base = "http://127.0.0.1:\(server.port)"
        var token = ""
        do {
            func get(_ path: String, cookie: String) async throws -> (HTTPClientResponse, String) {
                var request = HTTPClientRequest(url: base + path)
                request.headers.add(name: "Cookie", value: cookie)
                let response = try await http.execute(request, timeout: .seconds(10))
                return (response, String(buffer: try await response.body.collect(upTo: 1 << 22)))
            }
            func post(_ path: String, cookie: String, form: String) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.headers.add(name: "Cookie", value: cookie)
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
                return try await http.execute(request, timeout: .seconds(10))
            }
            func cookie(_ response: HTTPClientResponse, _ name: String) -> String? {
                response.headers["Set-Cookie"].first { $0.hasPrefix("\(name)=") }
                    .map { String($0.split(separator: ";")[0].dropFirst(name.count + 1)) }
            }
            let (start, _) = try await get("/dashboard", cookie: "")
            #expect(start.status == .seeOther)
            #expect(start.headers["Location"] == ["/dashboard/login"])
            let (login, page) = try await get("/dashboard/login", cookie: "")
            let signInCookie = try #require(cookie(login, "dashboard_sign_in"))
            let csrf = try #require(DashboardBrowser.csrfToken(in: page))
            let signedIn = try await post(
                "/dashboard/login", cookie: "dashboard_sign_in=\(signInCookie)",
                form: DashboardBrowser.encode([("csrf_token", csrf), ("api_key", fixture.a.key)]))
            #expect(signedIn.status == .seeOther)
            token = try #require(cookie(signedIn, "dashboard_session"))
            let (worklist, html) = try await get("/dashboard/worklist", cookie: "dashboard_session=\(token)")
            #expect(worklist.status == .ok)
            #expect(html.contains("A-C1"))
            let sessionCSRF = try #require(DashboardBrowser.csrfToken(in: html))
            let out = try await post("/dashboard/logout", cookie: "dashboard_session=\(token)",
                                     form: "csrf_token=\(sessionCSRF)")
            #expect(out.status == .seeOther)
            #expect((try await get("/dashboard/worklist", cookie: "dashboard_session=\(token)")).0.status == .seeOther)
        } catch {
            server.process.terminate()
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        server.process.terminate()
        await waitForExit(server.process)
        let log = String(decoding: await readToEnd(server.stderr.fileHandleForReading), as: UTF8.self)
        #expect(log.contains("route=/dashboard/login"), "the log was not read: \(log.prefix(500))")
        #expect(log.contains("route=/dashboard/worklist"))
        let secret = String(fixture.a.key.split(separator: "_").last ?? "")
        #expect(!log.contains(fixture.a.key) && !log.contains(secret.suffix(40)), "the log holds the API key")
        #expect(!token.isEmpty && !log.contains(token) && !log.contains(String(token.suffix(64))), "the log holds the session token")
        #expect(!log.contains("api_key="))
    }
}
