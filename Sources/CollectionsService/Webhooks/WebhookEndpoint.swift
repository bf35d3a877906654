public import Foundation
import Postgres

/// Where a lender hears of its facts. The signing secret is not here: it is shown
/// once, when the endpoint is created (`WebhookEndpoints.create`), and afterwards
/// only the sender reads it.
public struct WebhookEndpoint: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case active, disabled
    }

    public var id: UUID
    public var url: String
    /// The types it receives; empty: every type, those added later included.
    public var eventTypes: [WebhookEventType]
    public var status: Status
    public var disabledAt: Date?
    /// Who or what disabled it: the lender, or the sender after a day of failures.
    public var disabledReason: String?
    public var createdAt: Date

    static let columns = "e.id, e.url, e.event_types, e.status, e.disabled_at, e.disabled_reason, e.created_at"

    init(row: PostgresRow) throws {
        id = try row["id"]
        url = try row["url"]
        let types: [String] = try row["event_types"]
        eventTypes = try types.map { name in
            guard let type = WebhookEventType(rawValue: name) else {
                throw PostgresError(kind: .decoding, message: "unknown webhook event type \"\(name)\"", column: "event_types")
            }
            return type
        }
        status = try row.decodeKnown(Status.self, column: "status", "webhook endpoint status")
        disabledAt = try row["disabled_at"]
        disabledReason = try row["disabled_reason"]
        createdAt = try row["created_at"]
    }
}
