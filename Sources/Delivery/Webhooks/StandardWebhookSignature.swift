import Crypto
public import Foundation

/// The `webhook-signature` of Standard Webhooks (https://www.standardwebhooks.com):
/// `v1,` and the base64 HMAC-SHA256, keyed with the endpoint's secret (the bytes
/// its base64 after `whsec_` stands for), of `{id}.{timestamp}.{body}`. Signing the
/// id and the timestamp with the body is what lets a lender refuse a replayed or
/// altered request with any Standard Webhooks library.
public enum StandardWebhookSignature {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The stored secret is not `whsec_` and base64: signing with it would
        /// produce signatures no lender could verify.
        case malformedSecret

        public var description: String { "the endpoint's secret is not whsec_ and base64" }
    }

    /// The signature header's value for one request; `timestamp` is the
    /// `webhook-timestamp` header's (seconds since 1970).
    public static func sign(id: String, timestamp: Int, body: Data, secret: String) throws -> String {
        let key = SymmetricKey(data: try keyBytes(secret))
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The key's bytes: the base64 after `whsec_`.
    static func keyBytes(_ secret: String) throws -> Data {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))), !bytes.isEmpty else {
            throw Failure.malformedSecret
        }
        return bytes
    }
}
