import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What people and providers reach without an API key:
/// - `POST /webhooks/sms/{tenant}/receipts` and `.../inbound`: the SMS provider's
///   signed callbacks (a bad or missing signature: 401); a retried one does
///   nothing twice; an inbound STOP revokes consent before the answer, whose TwiML
///   carries the one confirmation text.
/// - `GET|POST /opt-out/{tenant}/{token}`: the link every email carries (a page
///   with a button, and the RFC 8058 one-click POST).
struct CallbackRoutes {
    let database: CollectionsDatabase
    let sms: SMSCallbackSettings?

    func add(to router: Router<APIRequestContext>) {
        router.post("/webhooks/sms/:tenant/receipts") { request, context in
            let (tenant, fields) = try await verified(request, context)
            guard let id = fields.first(where: { $0.0 == "MessageSid" })?.1,
                  let status = fields.first(where: { $0.0 == "MessageStatus" })?.1
            else { throw Problem.badRequest("MessageSid", "a receipt needs MessageSid and MessageStatus") }
            try await SMSCallbacks(database: database, tenant: tenant).receipt(messageID: id, status: status)
            return Self.twiml("<Response/>")
        }
        router.post("/webhooks/sms/:tenant/inbound") { request, context in
            let (tenant, fields) = try await verified(request, context)
            guard let id = fields.first(where: { $0.0 == "MessageSid" })?.1,
                  let from = fields.first(where: { $0.0 == "From" })?.1
            else { throw Problem.badRequest("MessageSid", "an inbound text needs MessageSid and From") }
            let body = fields.first(where: { $0.0 == "Body" })?.1 ?? ""
            switch try await SMSCallbacks(database: database, tenant: tenant).inbound(messageID: id, from: from, body: body) {
            case .revoked(let lender):
                return Self.twiml("<Response><Message>\(Self.xmlEscaped(lender)): you will get no more texts from us. Reply START to opt back in.</Message></Response>")
            case .repeated, .unknownNumber, .noted:
                return Self.twiml("<Response/>")
            }
        }
        router.get("/opt-out/:tenant/:token") { _, context in
            guard let (tenant, token) = Self.link(context),
                  let target = try await OptOutLinks(database: database).target(tenant: tenant, token: token)
            else { return Self.page(.notFound, "Link not found", "This opt-out link is not known.") }
            return Self.page(.ok, "Stop emails from \(target.lender)", """
                <p>Stop the payment reminders \(Self.xmlEscaped(target.lender)) sends to <b>\(Self.xmlEscaped(target.address))</b>?</p>
                <form method="post"><button type="submit">Stop these emails</button></form>
                """, raw: true)
        }
        router.post("/opt-out/:tenant/:token") { _, context in
            guard let (tenant, token) = Self.link(context),
                  let target = try await OptOutLinks(database: database).optOut(tenant: tenant, token: token)
            else { return Self.page(.notFound, "Link not found", "This opt-out link is not known.") }
            return Self.page(.ok, "Done", "\(target.address) will get no more payment reminders by email from \(target.lender).")
        }
    }

    /// The tenant and the form, once the signature holds.
    private func verified(_ request: Request, _ context: APIRequestContext) async throws -> (UUID, [(String, String)]) {
        guard let sms else { throw Problem(.notFound, "not-found", detail: "SMS callbacks are not configured here") }
        guard let text = context.parameters.get("tenant"), let tenant = UUID(uuidString: text) else {
            throw Problem(.notFound, "not-found", detail: "no such tenant")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let fields = Self.form(String(buffer: buffer))
        let url = sms.publicURL + request.uri.path
        guard let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!],
              sms.signature.verify(signature, url: url, fields: fields)
        else { throw Problem(.unauthorized, "bad-signature", detail: "the callback's X-Twilio-Signature does not verify") }
        return (tenant, fields)
    }

    static func form(_ body: String) -> [(String, String)] {
        body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring?) -> String {
                (part.map(String.init) ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (decode(parts.first), decode(parts.count > 1 ? parts[1] : nil))
        }
    }

    static func link(_ context: APIRequestContext) -> (UUID, String)? {
        guard let tenant = context.parameters.get("tenant").flatMap(UUID.init(uuidString:)),
              let token = context.parameters.get("token") else { return nil }
        return (tenant, token)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func twiml(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/xml"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\(body)")))
    }

    static func page(_ status: HTTPResponse.Status, _ title: String, _ body: String, raw: Bool = false) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(xmlEscaped(title))</title>
            <meta name="viewport" content="width=device-width"></head>
            <body style="font-family:sans-serif;max-width:36em;margin:3em auto"><h1>\(xmlEscaped(title))</h1>
            \(raw ? body : "<p>\(xmlEscaped(body))</p>")</body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
