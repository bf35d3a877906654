public import Foundation
import Postgres

/// A consent, revocation or opt-out recorded for a client's channel: SMS goes
/// only with a consent, and the latest record for a channel and address decides
/// (sql/0014 `contact_permissions`, an append-only log).
public struct ContactPermission: Sendable, Codable, Equatable {
    /// What recording one takes.
    public struct Change: Sendable, Codable, Equatable {
        public var channel: DunningChannel
        /// The email address or phone number it is about; nil: all of the client's.
        public var address: String?
        public var granted: Bool
        /// Where it came from: "web form", "signed agreement", "STOP reply", a collector.
        public var source: String
        /// When the client gave or withdrew it; nil: now.
        public var recordedAt: Date?

        public init(channel: DunningChannel, address: String? = nil, granted: Bool, source: String, recordedAt: Date? = nil) {
            self.channel = channel
            self.address = address
            self.granted = granted
            self.source = source
            self.recordedAt = recordedAt
        }
    }

    public var id: UUID
    public var clientRef: String
    public var channel: DunningChannel
    public var address: String?
    public var granted: Bool
    public var source: String
    public var recordedAt: Date
    public var createdAt: Date

    static let columns = "p.id, c.ref AS client_ref, p.channel, p.address, p.granted, p.source, p.recorded_at, p.created_at"

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientRef = try row["client_ref"]
        channel = try row.decodeKnown(DunningChannel.self, column: "channel", "channel")
        address = try row["address"]
        granted = try row["granted"]
        source = try row["source"]
        recordedAt = try row["recorded_at"]
        createdAt = try row["created_at"]
    }
}
