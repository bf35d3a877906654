import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's cookies: the session's token and, before sign-in, the sign-in
/// form's CSRF token. HttpOnly, SameSite=Strict, path /dashboard, and Secure
/// when the request came over TLS (`X-Forwarded-Proto: https` from the proxy in
/// front, or the server's own TLS listener).
enum DashboardCookies {
    static let session = "dashboard_session"
    static let signIn = "dashboard_sign_in"

    /// The value of the cookie `name` the request carries.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// Whether the browser reached us over TLS: the proxy in front says so, or
    /// the request came to a TLS listener (an https URI).
    static func overTLS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" || request.uri.scheme == .https
    }

    /// A Set-Cookie value; `maxAge` 0 clears the cookie.
    static func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/dashboard; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }
}
