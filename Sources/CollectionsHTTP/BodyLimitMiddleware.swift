import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request's body into memory, refusing (413) one larger than its
/// route takes, before anything else looks at it: a declared Content-Length
/// over the limit is refused unread, a chunked body as soon as it passes it.
/// CSV imports take `maxImportBody`, everything else `maxJSONBody`.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limits: HTTPLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post || request.method == .patch || request.method == .put else {
            return try await next(request, context)
        }
        let limit = request.uri.path.hasPrefix("/v1/imports/") ? limits.maxImportBody : limits.maxJSONBody
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Self.tooLarge(limit)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge(limit)
        }
        // A body says what it is: the generated layer would read one without a
        // Content-Type as whatever the operation takes.
        if body.readableBytes > 0, request.headers[.contentType] == nil {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", detail: "a request body needs a Content-Type")
        }
        return try await next(request, context)
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, "too-large", detail: "the request body is larger than the \(limit) bytes this endpoint accepts")
    }
}
