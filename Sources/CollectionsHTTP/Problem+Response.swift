import Foundation
import HTTPTypes
import Hummingbird
import NIOCore


extension Problem {
    /// The problem as an answer: `application/problem+json`, with `Retry-After`
    /// where it says when to come back and a `WWW-Authenticate` challenge on 401.
    var response: Response {
        var headers: HTTPFields = [.contentType: Self.contentType]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
