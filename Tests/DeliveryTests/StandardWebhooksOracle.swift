import Crypto
import Foundation

/// Test oracle: verification of a request as a Standard Webhooks receiver does it,
/// written from the specification (https://www.standardwebhooks.com, "Verifying
/// webhook authenticity"), not from the production signer, which it must never
/// call: the secret's bytes are the base64 after `whsec_`; the signed content is
/// the `webhook-id`, a full stop, the `webhook-timestamp`, a full stop and the raw
/// body; the header carries space-separated `version,base64` signatures, one of
/// which must be a `v1` equal (compared in constant time) to the HMAC-SHA256 of
/// the content; and the timestamp must be within the tolerance of the receiver's clock.
enum StandardWebhooksOracle {
    enum Refusal: Error, Equatable {
        case missingHeader(String), badSecret, badTimestamp, stale, noMatchingSignature
    }

    static func verify(body: Data, headers: [String: String], secret: String, now: Date = Date(),
                       tolerance: TimeInterval = 300) throws {
        func header(_ name: String) throws -> String {
            guard let value = headers.first(where: { $0.key.lowercased() == name })?.value, !value.isEmpty else {
                throw Refusal.missingHeader(name)
            }
            return value
        }
        let id = try header("webhook-id")
        let timestampText = try header("webhook-timestamp")
        let signatures = try header("webhook-signature")
        guard let timestamp = Int(timestampText) else { throw Refusal.badTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw Refusal.stale }
        let prefix = "whsec_"
        guard secret.hasPrefix(prefix), let key = Data(base64Encoded: String(secret.dropFirst(prefix.count))) else {
            throw Refusal.badSecret
        }
        let content = Data(id.utf8) + Data(".".utf8) + Data(timestampText.utf8) + Data(".".utf8) + body
        let expected = Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key)))
        for candidate in signatures.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            if constantTimeEqual(given, expected) { return }
        }
        throw Refusal.noMatchingSignature
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
