public import Foundation
public import Postgres

/// A late fee, interest or other charge added to an invoice's balance, on a date.
public struct Charge: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case lateFee = "late_fee", interest, other }

    public var id: UUID
    public var invoiceNumber: String
    public var kind: Kind
    public var amount: Money
    public var chargedOn: CalendarDate
    /// One charge of a kind per invoice per period key (e.g. `2013-06`), so
    /// accruing a month twice adds it once.
    public var periodKey: String?
    public var note: String?
}
