import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser without JavaScript against the dashboard in-process: it keeps
/// cookies, posts forms (application/x-www-form-urlencoded) and reads the
/// pages' CSRF tokens, as a person's browser would.
final class DashboardBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: HTTPFields {
        guard !cookies.isEmpty else { return [:] }
        return [.cookie: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    /// A request with the browser's cookies; remembers the answer's Set-Cookie.
    func request(_ method: HTTPRequest.Method, _ path: String, form: [(String, String)]? = nil, headers: HTTPFields = [:])
        async throws -> TestResponse {
        var fields = cookieHeader
        for field in headers { fields.append(field) }
        var body: ByteBuffer?
        if let form {
            fields[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: Self.encode(form))
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: fields, body: body)
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let cookie = pair.count > 1 ? String(pair[1]) : ""
            if cookie.isEmpty || value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = cookie }
        }
        return response
    }

    func get(_ path: String) async throws -> TestResponse { try await request(.get, path) }

    /// Signs in with `key` through the sign-in form; returns the POST's answer.
    @discardableResult
    func signIn(_ key: String) async throws -> TestResponse {
        let page = try await get("/dashboard/login")
        let token = try #require(Self.csrfToken(in: page.text))
        return try await request(.post, "/dashboard/login", form: [("csrf_token", token), ("api_key", key)])
    }

    /// The first CSRF token a page's forms carry.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return form.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+"))"
        }.joined(separator: "&")
    }

    /// Every `attribute="key" value-attribute="value"` pair on the page, as
    /// `data-figure="USD total_minor" data-minor="123"`.
    static func values(in html: String, key: String, value: String) -> [String: String] {
        var found: [String: String] = [:]
        var rest = html[...]
        while let start = rest.range(of: "\(key)=\"") {
            let name = rest[start.upperBound...].prefix { $0 != "\"" }
            rest = rest[start.upperBound...]
            guard let valueStart = rest.range(of: "\(value)=\"") else { break }
            found[String(name)] = String(rest[valueStart.upperBound...].prefix { $0 != "\"" })
        }
        return found
    }
}
