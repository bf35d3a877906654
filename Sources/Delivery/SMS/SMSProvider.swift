public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends text messages through the provider's HTTP API: a form POST of `To`,
/// `From`, `Body` and `StatusCallback`, with basic authentication and the outbox
/// key as `I-Twilio-Idempotency-Token`, so a retry after a lost answer never makes
/// a second text. AsyncHTTPClient is non-blocking: nothing here waits on a thread.
public struct SMSProvider: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Accepted, with the provider's id of the message.
        case sent(String)
        /// 429, 5xx, our own credentials refused, or no answer: try again later.
        case transient(String)
        /// Any other 4xx (a number that cannot receive texts): do not try again.
        case permanent(String)
    }

    public let settings: SMSSettings
    let client: HTTPClient

    public init(settings: SMSSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    /// The form body, in the order the provider documents.
    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    public func send(to: String, body: String, idempotencyKey: String, statusCallback: String?) async -> Outcome {
        var fields = [("To", to), ("From", settings.from), ("Body", body)]
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        var request = HTTPClientRequest(url: settings.endpoint.absoluteString)
        request.method = .POST
        let credentials = Data("\(settings.account):\(settings.token)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "I-Twilio-Idempotency-Token", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: Self.form(fields)))
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
            let status = Int(response.status.code)
            switch status {
            case 200...299:
                guard let sid = json?["sid"] as? String, !sid.isEmpty else {
                    return .transient("the provider answered \(status) without a message sid")
                }
                return .sent(sid)
            default:
                let said = [json?["code"].map { "code \($0)" }, json?["message"] as? String]
                    .compactMap { $0 }.joined(separator: ": ")
                let reason = "SMS provider \(status)" + (said.isEmpty ? "" : ": \(said)")
                return status == 429 || status == 401 || status == 403 || status >= 500
                    ? .transient(reason) : .permanent(reason)
            }
        } catch {
            return .transient("SMS provider unreachable: \(error)")
        }
    }
}
