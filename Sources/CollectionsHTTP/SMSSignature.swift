import Crypto
import Foundation

/// The SMS provider's signature on its callbacks (Twilio's `X-Twilio-Signature`):
/// base64 of HMAC-SHA1, keyed by the account's auth token, over the full URL the
/// provider called followed by every form field's name and value, sorted by name.
/// A callback whose signature does not match is refused with 401 before anything
/// is read from it.
public struct SMSSignature: Sendable {
    let token: String

    public init(token: String) { self.token = token }

    public func sign(url: String, fields: [(String, String)]) -> String {
        let text = url + fields.sorted { $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(token.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Compared in constant time.
    public func verify(_ signature: String, url: String, fields: [(String, String)]) -> Bool {
        let expected = Array(sign(url: url, fields: fields).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// What the server needs to accept the provider's callbacks: the token that signs
/// them, and its own public address (the provider signs the URL it called).
public struct SMSCallbackSettings: Sendable {
    public var signature: SMSSignature
    public var publicURL: String

    public init(token: String, publicURL: String) {
        self.signature = SMSSignature(token: token)
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }
}
