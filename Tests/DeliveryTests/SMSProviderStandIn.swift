import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for the SMS provider's HTTP API (we cannot call the real one
/// here): it keeps every request exactly as received and answers as the provider
/// documents, 201 with the message's sid, or 400 with a code for a number that
/// cannot be texted (+15550000400).
final class SMSProviderStandIn: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        /// By lowercased name.
        var headers: [String: String]
        var form: [(String, String)]
    }

    let received = Mutex<[Received]>([])

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 16))
            let form = body.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let count = self.received.withLock { list in
                list.append(Received(method: "\(request.method)", path: request.uri.path, headers: headers, form: form))
                return list.count
            }
            let to = form.first { $0.0 == "To" }?.1
            if to == "+15550000400" {
                return Self.json(.badRequest, #"{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}"#)
            }
            return Self.json(.created, #"{"sid": "SM\#(String(format: "%032d", count))", "status": "queued"}"#)
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
