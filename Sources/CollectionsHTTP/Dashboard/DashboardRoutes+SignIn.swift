import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird

extension DashboardRoutes {
    /// The sign-in form, with a fresh CSRF token in it and in a cookie (double
    /// submit: a page of another site can neither read the cookie nor set it).
    func signInPage(_ request: Request, status: HTTPResponse.Status, error: String?) -> Response {
        struct View: Sendable {
            var chrome: DashboardChrome
            var csrfToken: String
            var error: String?
        }
        let token = ApiKeys.randomHex(bytes: 32)
        let cookie = DashboardCookies.setCookie(
            DashboardCookies.signIn, token, maxAge: 3600, secure: DashboardCookies.overTLS(request))
        let view = View(chrome: DashboardChrome(title: "Sign in"), csrfToken: token, error: error)
        return DashboardResponses.html(status, renderer.render("login", view), cookies: [cookie])
    }

    /// `POST /dashboard/login`: the form's `api_key` for a session cookie, then
    /// the dashboard. Any key the API refuses gets the same answer; the key goes
    /// no further than the lookup (never into a URL, a cookie or the log).
    func signIn(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let token = form["csrf_token"], let cookie = DashboardCookies.value(DashboardCookies.signIn, in: request),
              !cookie.isEmpty, DashboardSessions.sameToken(token, cookie) else {
            return errorPage(DashboardError.csrf, session: nil)
        }
        let key = (form["api_key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.utf8.count <= 200, let started = try await sessions.start(apiKey: key) else {
            return signInPage(request, status: .unauthorized, error: "That API key was not accepted.")
        }
        let secure = DashboardCookies.overTLS(request)
        return DashboardResponses.redirect(Self.home(started.session), cookies: [
            DashboardCookies.setCookie(
                DashboardCookies.session, started.token, maxAge: Int(sessions.lifetime.components.seconds), secure: secure),
            DashboardCookies.setCookie(DashboardCookies.signIn, "", maxAge: 0, secure: secure),
        ])
    }
}
