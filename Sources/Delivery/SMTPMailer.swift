internal import CLibCurl
public import Foundation

/// Sends one email over SMTP with libcurl (STARTTLS and AUTH from the URL), on a
/// thread of its own: curl's transfer blocks, and Swift's cooperative pool must
/// never wait on it.
///
/// Spike for issue 15 (branch wip-15-smtp): the transport only; the outbox, the
/// retries and the templates are not here.
public struct SMTPMailer: Sendable {
    /// What the server said to the message.
    public enum Outcome: Sendable, Equatable {
        case sent
        /// 4xx, or the connection failed: try again later.
        case transient(String)
        /// 5xx: do not try again.
        case permanent(String)
    }

    /// `smtp://user:password@host:port` (or `smtps://`); STARTTLS is required when
    /// `requireTLS`, else used when the server offers it.
    public let url: URL
    public let requireTLS: Bool
    public let timeoutSeconds: Int

    public init(url: URL, requireTLS: Bool = false, timeoutSeconds: Int = 30) {
        self.url = url
        self.requireTLS = requireTLS
        self.timeoutSeconds = timeoutSeconds
    }

    public func send(from: String, to recipients: [String], message: Data) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: self.sendBlocking(from: from, to: recipients, message: message))
            }
            thread.name = "smtp"
            thread.start()
        }
    }

    /// The bytes libcurl reads as the message body.
    private final class Body {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = Array(data) }
    }

    private func sendBlocking(from: String, to recipients: [String], message: Data) -> Outcome {
        guard let curl = curl_easy_init() else { return .transient("libcurl could not start a transfer") }
        defer { curl_easy_cleanup(curl) }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }
        let body = Body(message)
        let context = Unmanaged.passUnretained(body).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(cc_setopt_string(curl, CURLOPT_URL, url.absoluteString))
        set(cc_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(from)>"))
        set(cc_setopt_pointer(curl, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(list)))
        set(cc_setopt_long(curl, CURLOPT_UPLOAD, 1))
        set(cc_setopt_long(curl, CURLOPT_USE_SSL, requireTLS ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_TRY.rawValue)))
        set(cc_setopt_long(curl, CURLOPT_TIMEOUT, timeoutSeconds))
        set(cc_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        if ProcessInfo.processInfo.environment["SMTP_VERBOSE"] != nil { set(cc_setopt_long(curl, CURLOPT_VERBOSE, 1)) }
        set(cc_setopt_pointer(curl, CURLOPT_READDATA, context))
        set(cc_setopt_read_function(curl) { buffer, size, count, context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeUnretainedValue()
            let room = size * count
            let length = min(room, body.bytes.count - body.offset)
            guard length > 0, let buffer else { return 0 }
            body.bytes.withUnsafeBufferPointer { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + body.offset, byteCount: length)
            }
            body.offset += length
            return length
        })
        errorBuffer.withUnsafeMutableBufferPointer { pointer in
            set(cc_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(pointer.baseAddress!)))
            if code == CURLE_OK { code = curl_easy_perform(curl) }
        }
        var reply: Int = 0
        _ = cc_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply)
        if code == CURLE_OK { return .sent }
        let written = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = written.isEmpty ? String(cString: curl_easy_strerror(code)!) : written
        let said = reply > 0 ? "\(reply) \(detail)" : detail
        return (500...599).contains(reply) ? .permanent(said) : .transient(said)
    }
}
