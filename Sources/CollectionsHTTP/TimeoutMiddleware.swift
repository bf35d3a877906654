import HTTPTypes
import OpenAPIRuntime

/// Answers 503 when an operation takes longer than its limit (imports get
/// their own, longer one), cancelling its work; the database's own
/// `statement_timeout` (the login's) bounds any single statement as well.
struct TimeoutMiddleware: ServerMiddleware {
    let limits: HTTPLimits

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let limit = operationID == "importFile" ? limits.importTimeout : limits.requestTimeout
        return try await withDeadline(limit) { try await next(request, body, metadata) }
    }
}

/// Runs `work`, or throws a 503 problem after `limit` and cancels it. `work`
/// does not escape: the task group ends, its child with it, before this returns.
func withDeadline<T: Sendable>(_ limit: Duration, _ work: @Sendable () async throws -> T) async throws -> T {
    try await withoutActuallyEscaping(work) { work in
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw Problem(
                    .serviceUnavailable, "timeout", detail: "the request took longer than \(limit) and was stopped; try again",
                    retryAfter: 1)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
