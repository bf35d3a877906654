public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One email as RFC 5322 and MIME bytes: plain text, and HTML beside it when the
/// template has some, each base64 (any UTF-8, any line length, nothing an SMTP
/// server rewrites); non-ASCII header text as RFC 2047 encoded words. The
/// `Message-ID` is the outbox key's, so every try of one message carries the same.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var fromName: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    public var messageID: String
    public var date: Date
    /// The one-click opt-out (RFC 8058): `List-Unsubscribe` and `List-Unsubscribe-Post`.
    public var optOutURL: String?

    public init(from: String, fromName: String, to: String, subject: String, text: String, html: String?,
                messageID: String, date: Date, optOutURL: String?) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.optOutURL = optOutURL
    }

    public var bytes: Data {
        var headers = [
            "From: \(Self.encodedWord(fromName)) <\(from)>",
            "To: <\(to)>",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if let optOutURL {
            headers.append("List-Unsubscribe: <\(optOutURL)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        var lines = headers
        if let html {
            let boundary = "=_alt_" + String(messageID.utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
                ($0 ^ UInt64($1)) &* 1_099_511_628_211
            }, radix: 36)
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines.append(contentsOf: Self.part("text/plain", text))
            lines.append("--\(boundary)")
            lines.append(contentsOf: Self.part("text/html", html))
            lines.append("--\(boundary)--")
        } else {
            lines.append(contentsOf: Self.part("text/plain", text))
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func part(_ type: String, _ content: String) -> [String] {
        ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            + base64Lines(Data(content.utf8))
    }

    private static func base64Lines(_ data: Data) -> [String] {
        let encoded = Array(data.base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map {
            String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self)
        }
    }

    /// Header text as is when printable ASCII, else `=?utf-8?B?...?=`.
    static func encodedWord(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return clean }
        return "=?utf-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    /// `Tue, 01 Dec 2026 21:56:27 +0000`, in UTC, the same in every locale.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
