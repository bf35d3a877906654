public import Foundation

/// The SMS provider: a Twilio-style Messages endpoint with the account's
/// credentials and sending number,
/// `https://ACCOUNT:TOKEN@api.twilio.com/2010-04-01/Accounts/ACCOUNT/Messages.json?from=%2B15550001111`.
/// Given by `--sms-url` or `COLLECTIONS_SMS_URL`; the token is never logged. The
/// token also signs the provider's callbacks (`SMSSignature`).
public struct SMSSettings: Sendable, Equatable, CustomStringConvertible {
    /// The Messages endpoint, without credentials or query.
    public var endpoint: URL
    public var account: String
    public var token: String
    public var from: String

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(url text: String) throws {
        guard var parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "https" || scheme == "http", parts.host?.isEmpty == false,
              let account = parts.user, let token = parts.password, !account.isEmpty, !token.isEmpty
        else {
            throw Invalid(description: "the SMS URL must look like https://ACCOUNT:TOKEN@host/.../Messages.json?from=%2B15550001111")
        }
        guard let from = parts.queryItems?.first(where: { $0.name == "from" })?.value, !from.isEmpty else {
            throw Invalid(description: "the SMS URL needs the sending number: ?from=%2B15550001111")
        }
        self.account = account.removingPercentEncoding ?? account
        self.token = token.removingPercentEncoding ?? token
        self.from = from
        parts.user = nil
        parts.password = nil
        parts.query = nil
        guard let endpoint = parts.url else { throw Invalid(description: "the SMS URL is not a URL") }
        self.endpoint = endpoint
    }

    public var description: String {
        var parts = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)!
        parts.user = account
        parts.password = "***"
        return parts.string ?? endpoint.absoluteString
    }
}
