public import Foundation
public import Postgres

/// A recorded reason not to contact a client for a while: a request to cease
/// communication, an attorney, a bankruptcy, a death, a debt under verification.
/// While it runs (from `startsOn`, until the day before `endsOn`) the contact gate
/// refuses every message to the client (sql/functions dunning_plan).
public struct ClientHold: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case ceaseCommunication = "cease_communication"
        case attorney, bankruptcy, deceased
        case disputeVerification = "dispute_verification"
    }

    public var id: UUID
    public var clientRef: String
    public var kind: Kind
    public var startsOn: CalendarDate
    /// The first day it no longer applies; nil while it runs.
    public var endsOn: CalendarDate?
    public var note: String?
    public var recordedBy: String
    public var createdAt: Date

    static let columns = "h.id, c.ref AS client_ref, h.kind, h.starts_on, h.ends_on, h.note, h.recorded_by, h.created_at"

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientRef = try row["client_ref"]
        kind = try row.decodeKnown(Kind.self, column: "kind", "hold kind")
        startsOn = try row["starts_on"]
        endsOn = try row["ends_on"]
        note = try row["note"]
        recordedBy = try row["recorded_by"]
        createdAt = try row["created_at"]
    }
}
