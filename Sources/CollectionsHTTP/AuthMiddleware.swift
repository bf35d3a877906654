import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird

/// The door of `/v1`: `Authorization: Bearer ck_...` names the tenant whose
/// transactions the rest of the request runs in (`RequestTenant`), then the
/// key's rate limit applies.
///
/// Missing, malformed, unknown and revoked keys all get `Problem.unauthorized`,
/// the same bytes; a key naming a suspended tenant gets 403
/// (`ApiKeys.standing`). An agency's key runs the request as that agency
/// (`CollectionsDatabase.agency`). Paths outside `/v1` (health, readiness, metrics, the
/// document) need no key.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let keys: ApiKeys
    let cache: KeyCache
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") || request.uri.path == "/v1" else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count <= 200 else {
            throw Problem.unauthorized
        }
        let presented = String(header.dropFirst("Bearer ".count))
        let digest = KeyCache.digest(presented)
        let tenant: UUID
        let agency: UUID?
        if let cached = cache.scope(for: digest) {
            (tenant, agency) = (cached.tenant, cached.agency)
        } else {
            switch try await keys.standing(of: presented) {
            case .tenant(let id):
                (tenant, agency) = (id, nil)
                cache.remember(digest, tenant: id)
            case .agency(let id, let placedWith):
                (tenant, agency) = (id, placedWith)
                cache.remember(digest, tenant: id, agency: placedWith)
            case .suspended: throw Problem.suspended
            case .none: throw Problem.unauthorized
            }
        }
        // The key's visible prefix: the first 8 hex of its last part (as `api-key list` shows).
        let prefix = String(presented.split(separator: "_").last?.prefix(8) ?? "")
        context.notes.keyPrefix = prefix
        if let wait = limiter.take("\(tenant) \(prefix)") {
            throw Problem(.tooManyRequests, "rate-limited", detail: "this API key made too many requests; retry after \(wait) s",
                          retryAfter: wait)
        }
        // An agency's key: every transaction of the request runs in the agency's
        // role, which sees only the accounts placed with it (sql/0018).
        return try await CollectionsDatabase.$agency.withValue(agency) {
            try await RequestTenant.$current.withValue(tenant) { try await next(request, context) }
        }
    }
}
