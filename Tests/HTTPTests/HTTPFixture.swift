@testable import CollectionsHTTP
import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import Testing
import TestSupport

/// A migrated database of the suite's own, the API's router on it as the
/// server's login, and two lenders with a key each.
struct HTTPFixture: Sendable {
    struct Lender: Sendable {
        var tenant: Tenant
        var key: String
        var authorization: HTTPFields { [.authorization: "Bearer \(key)"] }
    }

    let service: ServiceFixture
    /// As `collections-server` connects: `collections_app` only.
    let server: CollectionsDatabase
    let a: Lender
    let b: Lender

    static func make(_ suite: String) async throws -> HTTPFixture {
        let service = try await ServiceFixture.make(suite)
        let server = CollectionsDatabase(configuration: service.database.configuration(as: .server), maxConnections: 8,
                                         acquireTimeout: ServiceFixture.poolWait)
        return HTTPFixture(service: service, server: server, a: try await lender(service, "a"), b: try await lender(service, "b"))
    }

    static func lender(_ service: ServiceFixture, _ prefix: String) async throws -> Lender {
        let tenant = try await service.tenant(prefix)
        let issued = try await ApiKeys(database: service.service).create(tenantSlug: tenant.slug, label: "test", actor: "test")
        return Lender(tenant: tenant, key: issued.secret)
    }

    func application(limits: HTTPLimits = HTTPLimits(requestsPerSecond: 10_000, burst: 10_000)) throws -> some ApplicationProtocol {
        Application(router: try LenderAPI.router(database: server, limits: limits))
    }

    /// Runs `body` against the router in-process (no sockets).
    func test<T: Sendable>(
        limits: HTTPLimits = HTTPLimits(requestsPerSecond: 10_000, burst: 10_000), _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await application(limits: limits).test(.router) { client in try await body(client) }
    }
}

extension TestClientProtocol {
    /// A JSON request as a lender sends it.
    func send(
        _ method: HTTPRequest.Method, _ path: String, as lender: HTTPFixture.Lender?, json: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        if let lender, fields[.authorization] == nil { fields[.authorization] = "Bearer \(lender.key)" }
        if json != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await executeRequest(
            uri: path, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var data: Data { Data(body.readableBytesView) }

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The problem document this must be, with `status`.
    @discardableResult
    func expectProblem(_ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(self.status.code == status, "\(self.status.code) \(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try json()
        #expect(problem["status"] as? Int == status, sourceLocation: sourceLocation)
        for field in ["type", "title", "detail"] { #expect(problem[field] is String, "\(field) missing", sourceLocation: sourceLocation) }
        ResponseSafety.expectSafe(self, sourceLocation: sourceLocation)
        return problem
    }
}

/// What no answer may hold: SQL, a SQLSTATE, a database message, a stack.
enum ResponseSafety {
    static let forbidden = [
        "SELECT ", "INSERT ", "UPDATE ", "DELETE ", " WHERE ", "SQLSTATE", "sqlState", "ERROR:", "violates", "constraint",
        "pg_", "relation \"", "duplicate key", "PostgresError", "Swift runtime", "Fatal error", ".swift:", "0x0000",
    ]

    static func expectSafe(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = response.text
        for word in forbidden {
            #expect(!text.contains(word), "the answer holds \"\(word)\": \(text)", sourceLocation: sourceLocation)
        }
    }
}
