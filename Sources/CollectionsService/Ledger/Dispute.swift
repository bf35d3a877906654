public import Foundation
public import Postgres

/// A dispute of an invoice, open from `openedOn` until `resolvedOn`.
public struct Dispute: Sendable, Codable, Equatable {
    public var id: UUID
    public var invoiceNumber: String
    public var openedOn: CalendarDate
    public var reason: String
    public var resolvedOn: CalendarDate?
    public var resolution: String?

    static let columns = "d.id, d.opened_on, d.reason, d.resolved_on, d.resolution"

    init(row: PostgresRow, invoiceNumber: String) throws {
        id = try row["id"]
        self.invoiceNumber = invoiceNumber
        openedOn = try row["opened_on"]
        reason = try row["reason"]
        resolvedOn = try row["resolved_on"]
        resolution = try row["resolution"]
    }
}
