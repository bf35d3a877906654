internal import CLibCurl
public import Foundation
import Postgres

/// Sends email over SMTP with libcurl (STARTTLS and AUTH as `SMTPSettings` say),
/// one message at a time on one connection that stays open between messages.
///
/// libcurl's transfer blocks, and Swift's cooperative pool must never wait on it:
/// every curl call runs on the mailer's own thread (the `ConnectionThread` libpq's
/// connections use). libcurl keeps the SMTP connection in its easy handle between
/// transfers, so a mailer per sender task costs one TCP and TLS handshake, not one
/// a message. Not thread-safe by itself, and need not be: the thread serialises.
public final class SMTPMailer: Sendable {
    /// What the server said to the message.
    public enum Outcome: Sendable, Equatable {
        case sent
        /// 4xx, a broken connection, a timeout, or the server refusing our own
        /// credentials: try again later.
        case transient(String)
        /// 5xx about this message or its address: do not try again.
        case permanent(String)
    }

    public let settings: SMTPSettings
    public let timeoutSeconds: Int
    private let thread: ConnectionThread
    private let handle: Handle

    /// The easy handle; only touched on `thread`.
    private final class Handle: @unchecked Sendable {
        var curl: UnsafeMutableRawPointer?
    }

    public init(settings: SMTPSettings, timeoutSeconds: Int = 30) {
        self.settings = settings
        self.timeoutSeconds = timeoutSeconds
        self.thread = ConnectionThread(name: "smtp")
        self.handle = Handle()
    }

    deinit {
        let handle = self.handle
        thread.submit {
            if let curl = handle.curl { curl_easy_cleanup(curl) }
            handle.curl = nil
        }
        thread.stop()
    }

    public func send(from: String, to recipients: [String], message: Data) async -> Outcome {
        let settings = self.settings, timeout = self.timeoutSeconds, handle = self.handle
        do {
            return try await thread.run {
                Self.sendBlocking(handle, settings: settings, timeout: timeout, from: from, to: recipients,
                                  message: message)
            }
        } catch {
            return .transient("the SMTP thread has stopped")
        }
    }

    /// The bytes libcurl reads as the message body.
    private final class Body {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = Array(data) }
    }

    /// The 5xx replies about our own login, which no message and no address can fix.
    private static let credentialReplies: Set<Int> = [530, 534, 535, 538]

    private static func sendBlocking(
        _ handle: Handle, settings: SMTPSettings, timeout: Int, from: String, to recipients: [String], message: Data
    ) -> Outcome {
        if handle.curl == nil { handle.curl = curl_easy_init() }
        guard let curl = handle.curl else { return .transient("libcurl could not start a transfer") }
        // Clears the options, keeps the live connection.
        curl_easy_reset(curl)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }
        let body = Body(message)
        let context = Unmanaged.passUnretained(body).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(cc_setopt_string(curl, CURLOPT_URL, settings.curlURL))
        if let user = settings.user { set(cc_setopt_string(curl, CURLOPT_USERNAME, user)) }
        if let password = settings.password { set(cc_setopt_string(curl, CURLOPT_PASSWORD, password)) }
        set(cc_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(from)>"))
        set(cc_setopt_pointer(curl, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(list)))
        set(cc_setopt_long(curl, CURLOPT_UPLOAD, 1))
        let useSSL = settings.tls == .whenOffered ? CURLUSESSL_TRY : CURLUSESSL_ALL
        set(cc_setopt_long(curl, CURLOPT_USE_SSL, Int(useSSL.rawValue)))
        set(cc_setopt_long(curl, CURLOPT_TIMEOUT, timeout))
        set(cc_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, min(timeout, 10)))
        set(cc_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        if ProcessInfo.processInfo.environment["SMTP_VERBOSE"] != nil { set(cc_setopt_long(curl, CURLOPT_VERBOSE, 1)) }
        set(cc_setopt_pointer(curl, CURLOPT_READDATA, context))
        set(cc_setopt_read_function(curl) { buffer, size, count, context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeUnretainedValue()
            let length = min(size * count, body.bytes.count - body.offset)
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
        withExtendedLifetime(body) {}
        var reply: Int = 0
        _ = cc_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply)
        if code == CURLE_OK { return .sent }
        let written = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = written.isEmpty ? String(cString: curl_easy_strerror(code)!) : written
        let said = reply > 0 ? "SMTP \(reply): \(detail)" : detail
        return (500...599).contains(reply) && !credentialReplies.contains(reply) ? .permanent(said) : .transient(said)
    }
}
