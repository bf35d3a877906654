public import Foundation

/// When a collector may next call a client, and the rule that decides it
/// (sql/functions contact_next_allowed): "can call after 2026-12-04 08:00
/// America/Chicago (recent_conversation)".
public struct NextContact: Sendable, Codable, Equatable {
    /// Nil: not while `rule` holds.
    public var allowedAt: Date?
    /// `allowedAt` on the client's wall clock, "2026-12-04 08:00".
    public var allowedLocal: String?
    public var timeZone: String
    /// What keeps the client from a call now; nil: a call is fine now.
    public var rule: String?

    public var text: String {
        guard let allowedLocal else { return "no contact (\(rule ?? "refused"))" }
        guard let rule else { return "can call now" }
        return "can call after \(allowedLocal) \(timeZone) (\(rule))"
    }
}
