import Foundation
public import HTTPTypes

/// An RFC 9457 problem document: every error this API answers.
///
/// Built only from words this layer chose or the service's refusals (which
/// quote the caller's own values, never another tenant's); never from a
/// database error's text, a SQLSTATE or a stack (`Problem.init(error:)`).
public struct Problem: Error, Sendable, Encodable, Equatable {
    public struct Item: Sendable, Encodable, Equatable {
        public var field: String?
        public var line: Int?
        public var column: String?
        public var reason: String

        public init(field: String? = nil, line: Int? = nil, column: String? = nil, reason: String) {
            self.field = field
            self.line = line
            self.column = column
            self.reason = reason
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var errors: [Item]?
    /// Seconds, sent as `Retry-After` (429, 503), not in the body.
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ slug: String, detail: String, errors: [Item]? = nil, retryAfter: Int? = nil) {
        self.type = "urn:collections:problem:\(slug)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    static let contentType = "application/problem+json"

    /// The body: sorted keys, so the same problem is always the same bytes (the
    /// 404 of another tenant's id and of a random one are compared byte for byte).
    var body: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{\"status\":\(status)}".utf8)
    }

    // The ones answered in more than one place.
    static let unauthorized = Problem(
        .unauthorized, "unauthorized",
        detail: "a valid API key is required: Authorization: Bearer ck_...")
    static let suspended = Problem(
        .forbidden, "tenant-suspended", detail: "the tenant is suspended; nothing can be read or changed")

    static func invalid(_ field: String, _ reason: String) -> Problem {
        Problem(.unprocessableContent, "invalid", detail: "the request is invalid: \(field): \(reason)",
                errors: [Item(field: field, reason: reason)])
    }

    static func badRequest(_ field: String, _ reason: String) -> Problem {
        Problem(.badRequest, "bad-request", detail: "the request is malformed: \(field): \(reason)",
                errors: [Item(field: field, reason: reason)])
    }

    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, "not-found", detail: "no such \(what)")
    }
}
