public import CollectionsService
import Foundation
public import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// The lender HTTP API as a router: the middleware, outermost first, then the
/// routes. `RequestLogMiddleware` (problems, the request log, metrics),
/// `BodyLimitMiddleware` (413), `AuthMiddleware` (401/403, the tenant, the rate
/// limit's 429); inside the generated operations `IdempotencyMiddleware` and
/// `TimeoutMiddleware`. The dashboard's HTML pages (`DashboardRoutes`) sit
/// beside them under `/dashboard`, with sessions of their own.
public enum LenderAPI {
    public static func router(
        database: CollectionsDatabase, limits: HTTPLimits = HTTPLimits(), registry: PrometheusCollectorRegistry? = nil,
        keyCacheLifetime: Duration = .seconds(2), sms: SMSCallbackSettings? = nil,
        dashboardSessionLifetime: Duration = .seconds(8 * 3600)
    ) throws -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: BodyLimitMiddleware(limits: limits))
        router.add(middleware: AuthMiddleware(
            keys: ApiKeys(database: database), cache: KeyCache(lifetime: keyCacheLifetime),
            limiter: RateLimiter(requestsPerSecond: limits.requestsPerSecond, burst: limits.burst)))
        OperationalRoutes(database: database, registry: registry).add(to: router)
        CallbackRoutes(database: database, sms: sms).add(to: router)
        let tenants = TenantCache(database: database, lifetime: keyCacheLifetime)
        ReportRoutes(database: database, limits: limits, tenants: tenants).add(to: router)
        DashboardRoutes(
            database: database, tenants: tenants, sessions: DashboardSessions(database: database, lifetime: dashboardSessionLifetime),
            renderer: try DashboardRenderer(), limits: limits).add(to: router)
        try APIServer(database: database, tenants: tenants).registerHandlers(
            on: router, serverURL: URL(string: "/")!, configuration: Configuration(dateTranscoder: RFC3339Dates()),
            middlewares: [IdempotencyMiddleware(database: database), TimeoutMiddleware(limits: limits)])
        return router
    }
}

extension APIServer: APIProtocol {}
