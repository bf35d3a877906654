import CollectionsService
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// `Idempotency-Key` on every POST but a payment's (whose posting keeps its own
/// key, DESIGN.md "Writes that must happen once"): the first request with a key
/// runs and its answer is kept; the same key and body again gets that answer
/// with `Idempotent-Replayed: true`; another body under the key 422; while the
/// first has not answered, 409. Only successful answers are kept: a refused
/// request gives its key back, so the corrected request may use it.
struct IdempotencyMiddleware: ServerMiddleware {
    let database: CollectionsDatabase
    /// Operations that keep their own key.
    static let ownKeys: Set<String> = ["createPayment"]
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard request.method == .post, let key = try Self.key(in: request) else {
            return try await next(request, body, metadata)
        }
        if Self.ownKeys.contains(operationID) { return try await next(request, body, metadata) }
        let tenant = try RequestTenant.required()
        var bytes = Data()
        if let body { bytes = try await Data(collecting: body, upTo: .max) }
        let store = IdempotentResponses(database: database, tenant: tenant)
        let hash = IdempotentResponses.requestHash(method: "POST", path: request.path ?? "", body: bytes)
        switch try await store.claim(key, requestHash: hash) {
        case .replay(let stored):
            return Self.replay(stored)
        case .differentRequest:
            throw Problem(.unprocessableContent, "idempotency-key-reused",
                          detail: "the Idempotency-Key was already used for a different request; nothing was changed",
                          errors: [Problem.Item(field: "Idempotency-Key", reason: "used for a different request")])
        case .inProgress:
            throw Problem(.conflict, "idempotency-key-in-use",
                          detail: "a request with this Idempotency-Key has not finished; try again", retryAfter: 1)
        case .claimed:
            break
        }
        let response: HTTPResponse
        let answer: Data
        do {
            let (head, responseBody) = try await next(request, HTTPBody(bytes), metadata)
            response = head
            var collected = Data()
            if let responseBody { collected = try await Data(collecting: responseBody, upTo: .max) }
            answer = collected
        } catch {
            try? await store.release(key)
            throw error
        }
        guard response.status.kind == .successful else {
            try? await store.release(key)
            return (response, HTTPBody(answer))
        }
        try await store.store(key, .init(status: response.status.code, contentType: response.headerFields[.contentType], body: answer))
        return (response, HTTPBody(answer))
    }

    /// The header's key, checked: 1-255 of `A-Z a-z 0-9 . _ : ~ -` (the
    /// document's pattern; a UUID is a good key).
    static func key(in request: HTTPRequest) throws -> String? {
        guard let value = request.headerFields[header] else { return nil }
        return try checked(value)
    }

    static func checked(_ value: String) throws -> String {
        guard (1...255).contains(value.utf8.count), value.utf8.allSatisfy(allowed.contains) else {
            throw Problem.badRequest("Idempotency-Key", "must be 1-255 of A-Z, a-z, 0-9 and . _ : ~ -")
        }
        return value
    }

    static let allowed: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:~-".utf8))

    static func replay(_ stored: IdempotentResponses.Stored) -> (HTTPResponse, HTTPBody?) {
        var fields = HTTPFields()
        if let type = stored.contentType { fields[.contentType] = type }
        fields[replayedHeader] = "true"
        return (HTTPResponse(status: .init(code: stored.status), headerFields: fields), HTTPBody(stored.body))
    }
}
