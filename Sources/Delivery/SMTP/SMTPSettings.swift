import Foundation

/// Where and how email leaves: `smtp://user:password@host:port` (STARTTLS when the
/// server offers it), `smtp://...?starttls=required` (refuse a server without it),
/// or `smtps://...` (TLS from the first byte). Given by `--smtp-url` or
/// `COLLECTIONS_SMTP_URL`; the password is never logged (`redacted`).
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    public enum TLS: String, Sendable { case whenOffered, required, implicit }

    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var tls: TLS

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(url text: String) throws {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "smtp" || scheme == "smtps", let host = parts.host, !host.isEmpty
        else {
            throw Invalid(description: "the SMTP URL must look like smtp://user:password@host:587 (or smtps://)")
        }
        self.host = host
        self.port = parts.port ?? (scheme == "smtps" ? 465 : 25)
        self.user = parts.user?.removingPercentEncoding ?? parts.user
        self.password = parts.password?.removingPercentEncoding ?? parts.password
        let starttls = parts.queryItems?.first { $0.name == "starttls" }?.value
        switch (scheme, starttls) {
        case ("smtps", _): tls = .implicit
        case (_, nil), (_, "when-offered"): tls = .whenOffered
        case (_, "required"): tls = .required
        case (_, let other?):
            throw Invalid(description: "starttls=\(other) in the SMTP URL: give required or when-offered")
        }
    }

    /// The server's address for libcurl, without credentials (they go separately,
    /// so that no error message can carry them).
    var curlURL: String { "\(tls == .implicit ? "smtps" : "smtp")://\(host):\(port)" }

    /// For logs: the URL with the password starred.
    public var redacted: String {
        let who = user.map { "\($0):***@" } ?? ""
        let query = tls == .required ? "?starttls=required" : ""
        return "\(tls == .implicit ? "smtps" : "smtp")://\(who)\(host):\(port)\(query)"
    }

    public var description: String { redacted }
}
