import Foundation
import Mustache

/// A tenant's wording for one template name (the dunning steps name them): the
/// email's subject, text and HTML, and the text message. Mustache; the names it may
/// use are `MessageContent`'s.
public struct MessageTemplate: Sendable, Codable, Equatable {
    public var name: String
    public var subject: String
    public var text: String
    public var html: String?
    public var sms: String

    public init(name: String, subject: String, text: String, html: String?, sms: String) {
        self.name = name
        self.subject = subject
        self.text = text
        self.html = html
        self.sms = sms
    }

    /// The longest text message sent: three concatenated GSM segments of 153
    /// characters. A template is checked against it with `MessageContent.sample`.
    public static let smsLimit = 459

    /// One rendered message.
    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var text: String
        public var html: String?
        public var sms: String
    }

    /// The template parsed once, to render many messages: text parts unescaped,
    /// HTML escaped (Mustache's default).
    public struct Compiled: Sendable {
        let subject, text, sms: MustacheTemplate
        let html: MustacheTemplate?

        public func render(_ content: MessageContent) -> Rendered {
            let values = content.values
            return Rendered(
                subject: subject.render(values).trimmingCharacters(in: .whitespacesAndNewlines),
                text: text.render(values), html: html?.render(values),
                sms: sms.render(values).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    public func compiled() throws -> Compiled {
        func plain(_ source: String, _ field: String) throws -> MustacheTemplate {
            try Self.compile("{{% CONTENT_TYPE: TEXT}}" + source, field: "\(name).\(field)", offset: 24)
        }
        return Compiled(
            subject: try plain(subject, "subject"), text: try plain(text, "text"), sms: try plain(sms, "sms"),
            html: try html.map { try Self.compile($0, field: "\(name).html", offset: 0) })
    }

    public func render(_ content: MessageContent) throws -> Rendered {
        try compiled().render(content)
    }

    /// Why a template cannot be used, said where: `reminder_due.sms: ...`.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var field: String
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// Refuses, when it is set rather than at send time, a template that does not
    /// parse, names what `MessageContent` does not have (a typo renders as nothing),
    /// or whose text message renders longer than `smsLimit` with the sample.
    public func check() throws {
        for (field, source) in [("subject", subject), ("text", text), ("html", html ?? ""), ("sms", sms)] {
            _ = try Self.compile(source, field: "\(name).\(field)", offset: 0)
            if let unknown = MessageContent.unknownNames(in: source).first {
                throw Problem(field: "\(name).\(field)", reason: "{{\(unknown)}} is not a name a message has (\(MessageContent.names))")
            }
        }
        if subject.trimmingCharacters(in: .whitespaces).isEmpty { throw Problem(field: "\(name).subject", reason: "is empty") }
        let rendered = try render(.sample)
        if rendered.sms.count > Self.smsLimit {
            throw Problem(field: "\(name).sms", reason:
                "renders \(rendered.sms.count) characters with 3 invoices, more than \(Self.smsLimit) (3 text messages)")
        }
        if rendered.sms.isEmpty { throw Problem(field: "\(name).sms", reason: "renders empty") }
    }

    private static func compile(_ source: String, field: String, offset: Int) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: source)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1 ? error.context.columnNumber - offset : error.context.columnNumber
            throw Problem(field: field, reason:
                "line \(error.context.lineNumber), column \(max(1, column)): \(error.error) in \"\(error.context.line)\"")
        }
    }
}
