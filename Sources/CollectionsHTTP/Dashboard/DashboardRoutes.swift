import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

/// The dashboard (issue 17): HTML pages under `/dashboard`, server-rendered,
/// working without JavaScript, for a session started with an API key.
///
/// `GET /dashboard/login` and `POST /dashboard/login` (form field `api_key`)
/// start a session and redirect to `/dashboard`; every other page redirects to
/// the sign-in page without one. A session's work runs for its tenant, and for
/// an agency's key as that agency (`CollectionsDatabase.agency`), so the
/// database shows it only the accounts placed with the agency. Every form
/// carries a CSRF token; the sign-in form's is a double-submit cookie (there is
/// no session yet), the others' the session's own.
struct DashboardRoutes {
    let database: CollectionsDatabase
    let tenants: TenantCache
    let sessions: DashboardSessions
    let renderer: DashboardRenderer
    let limits: HTTPLimits

    /// Who the audit log says acted.
    static let actor = "dashboard"

    func add(to router: Router<APIRequestContext>) {
        router.get("/dashboard/login") { request, _ in
            if let session = try await session(of: request) {
                return DashboardResponses.redirect(Self.home(session))
            }
            return signInPage(request, status: .ok, error: nil)
        }
        router.post("/dashboard/login") { request, _ in try await signIn(request) }
        router.post("/dashboard/logout") { request, _ in
            let form = try await Self.form(request)
            let secure = DashboardCookies.overTLS(request)
            let cleared = DashboardCookies.setCookie(DashboardCookies.session, "", maxAge: 0, secure: secure)
            guard let session = try await session(of: request) else {
                return DashboardResponses.redirect("/dashboard/login", cookies: [cleared])
            }
            guard let token = form["csrf_token"], DashboardSessions.sameToken(token, session.csrfToken) else {
                return errorPage(DashboardError.csrf, session: nil)
            }
            try await sessions.end(session)
            return DashboardResponses.redirect("/dashboard/login", cookies: [cleared])
        }
        router.get("/dashboard") { request, _ in
            try await signedIn(request, current: "/dashboard", title: "Overview") { session, tenant, chrome in
                guard session.agency == nil else { return DashboardResponses.redirect("/dashboard/worklist") }
                let view = try await OverviewView.make(
                    database: database, tenant: tenant, asOf: try Self.asOf(request), chrome: chrome)
                return DashboardResponses.html(.ok, renderer.render("overview", view))
            }
        }
        router.get("/dashboard/worklist") { request, _ in
            try await signedIn(request, current: "/dashboard/worklist", title: "Worklist") { session, tenant, chrome in
                let view = try await WorklistView.make(
                    database: database, tenant: tenant, asOf: try Self.asOf(request), chrome: chrome,
                    agency: session.agency != nil)
                return DashboardResponses.html(.ok, renderer.render("worklist", view))
            }
        }
        router.get("/dashboard/dunning") { request, _ in
            try await signedIn(request, current: "/dashboard/dunning", title: "Dunning") { session, tenant, chrome in
                guard session.agency == nil else { throw DashboardError.agencyOnly }
                let view = try await DunningView.make(
                    database: database, tenant: tenant, asOf: try Self.asOf(request), chrome: chrome)
                return DashboardResponses.html(.ok, renderer.render("dunning", view))
            }
        }
        router.get("/dashboard/clients/:id") { request, context in
            try await signedIn(request, current: "", title: "Client") { session, tenant, chrome in
                let id = try Self.clientID(context)
                let done = request.uri.queryParameters.get("done").flatMap { Self.doneMessages[$0] }
                return try await clientPage(tenant: tenant, id: id, chrome: chrome, session: session, status: .ok, done: done)
            }
        }
        router.post("/dashboard/clients/:id/notes") { request, context in
            try await form(request, context, title: "Client") { form, session, tenant, client in
                try await logNote(form, tenant: tenant, client: client)
            }
        }
        router.post("/dashboard/clients/:id/disputes") { request, context in
            try await form(request, context, title: "Client") { form, session, tenant, client in
                try await openDispute(form, tenant: tenant, client: client)
            }
        }
    }

    /// Where a session starts: the overview, or an agency's accounts.
    static func home(_ session: DashboardSession) -> String {
        session.agency == nil ? "/dashboard" : "/dashboard/worklist"
    }

    /// The session the request's cookie names, if it is live.
    func session(of request: Request) async throws -> DashboardSession? {
        guard let token = DashboardCookies.value(DashboardCookies.session, in: request) else { return nil }
        return try await sessions.find(token: token)
    }

    /// Runs a page for the request's session (redirecting to the sign-in page
    /// without one), in the session's scope: its tenant, and its agency's role.
    func signedIn(
        _ request: Request, current: String, title: String,
        _ body: @Sendable (DashboardSession, Tenant, DashboardChrome) async throws -> Response
    ) async throws -> Response {
        guard let session = try await session(of: request) else { return DashboardResponses.redirect("/dashboard/login") }
        let tenant = try await tenants.tenant(session.tenant)
        let chrome = DashboardChrome(title: title, session: session, tenantName: tenant.name, current: current)
        do {
            return try await withDeadline(limits.requestTimeout) {
                try await CollectionsDatabase.$agency.withValue(session.agency) { try await body(session, tenant, chrome) }
            }
        } catch let error as DashboardError {
            return errorPage(error, session: chrome)
        } catch let error as ServiceError where error.kind == .notFound || error.kind == .invalid {
            return errorPage(DashboardError(
                status: error.kind == .notFound ? .notFound : .unprocessableContent, heading: "Not available",
                message: error.message), session: chrome)
        } catch let error as PostgresError where error.sqlState == "42501" {
            // A role without the grant (an agency's, for a lender's report).
            _ = error
            return errorPage(DashboardError.agencyOnly, session: chrome)
        }
    }

    func errorPage(_ error: DashboardError, session chrome: DashboardChrome?) -> Response {
        struct View: Sendable {
            var chrome: DashboardChrome
            var heading: String
            var message: String
        }
        let view = View(chrome: chrome ?? DashboardChrome(title: error.heading), heading: error.heading, message: error.message)
        return DashboardResponses.html(error.status, renderer.render("error", view))
    }

    static func asOf(_ request: Request) throws -> CalendarDate? {
        guard let text = request.uri.queryParameters.get("as_of"), !text.isEmpty else { return nil }
        guard text.utf8.count == 10, let date = CalendarDate(text) else {
            throw DashboardError(status: .badRequest, heading: "Bad date", message: "as_of is not a date (YYYY-MM-DD).")
        }
        return date
    }

    /// A client path's id; not a UUID is the same 404 as an unknown client.
    static func clientID(_ context: APIRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), text.utf8.count == 36, let id = UUID(uuidString: text) else {
            throw DashboardError.noSuchClient
        }
        return id
    }

    /// A form body's fields (application/x-www-form-urlencoded), the last of a repeated name.
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 16)
        return Dictionary(CallbackRoutes.form(String(buffer: buffer)), uniquingKeysWith: { _, last in last })
    }
}
