public import Foundation
public import Postgres

/// An amount of an invoice's balance given up, on a date: as uncollectable (a
/// write-off, bad debt) or as not owed after all (a credit note, an upheld dispute).
public struct WriteOff: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case writeOff = "write_off"
        case creditNote = "credit_note"
    }

    public var id: UUID
    public var invoiceNumber: String
    public var amount: Money
    public var writtenOffOn: CalendarDate
    public var reason: String
    public var kind: Kind = .writeOff
}
