import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import OpenAPIRuntime
import Postgres

/// The outermost middleware: turns any error into its problem document, logs
/// every request in one line (request id, method, route, status, key prefix,
/// duration; never a key, a query string or a body) and counts it for
/// `/metrics` (requests by route, method and status; latency by route).
///
/// Routes are logged and counted by their template (`/v1/clients/{id}`), so
/// ids do not become metric labels; a request that matched no route counts as
/// `unmatched`.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        var failure: (any Error)?
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No route: a declared path asked with another method is 405, else 404.
            if let allowed = DocumentedPaths.methods(for: request.uri.path) {
                response = Problem(.methodNotAllowed, "method-not-allowed",
                                   detail: "\(request.uri.path) takes \(allowed.joined(separator: ", "))").response
                response.headers[.allow] = allowed.joined(separator: ", ")
            } else {
                response = Problem(error: error).response
            }
        } catch {
            failure = error
            response = Problem(error: error).response
        }
        let route = context.endpointPath ?? "unmatched"
        let elapsed = ContinuousClock.now - started
        let status = response.status.code
        response.headers[Self.requestIDHeader] = context.id
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)",
            "duration_ms": "\(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))",
        ]
        if let prefix = context.notes.keyPrefix { metadata["key_prefix"] = "\(prefix)" }
        if let failure, status >= 500 {
            // The error's type, and a database error's own description (SQLSTATE and
            // message, never its detail), for the log only. Never a ServerError's
            // description: it repeats the request, Authorization header included.
            let cause = (failure as? ServerError)?.underlyingError ?? failure
            metadata["error"] = "\(String(reflecting: type(of: cause)))"
            if let postgres = cause as? PostgresError { metadata["error_description"] = "\(postgres.description.prefix(300))" }
            context.logger.error("request", metadata: metadata)
        } else {
            context.logger.info("request", metadata: metadata)
        }
        Counter(label: "http_requests_total", dimensions: [("route", route), ("method", request.method.rawValue), ("status", String(status))])
            .increment()
        Timer(label: "http_request_duration_seconds", dimensions: [("route", route), ("method", request.method.rawValue)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}
