import Foundation
import Postgres

/// Where an invoice stands on a date, derived from its dated entries.
public enum InvoiceStatus: String, Sendable, Codable, CaseIterable {
    /// Issued after the date: nothing is owed on it yet.
    case notIssued = "not_issued"
    /// Something is owed and no dispute is open.
    case open
    /// Something is owed and a dispute is open.
    case disputed
    /// Nothing is owed, and payments (not a write-off) closed it.
    case paid
    /// Nothing is owed, and a write-off closed (part of) it.
    case writtenOff = "written_off"
    /// Nothing is owed, and a credit note (an upheld dispute) closed (part of) it, no write-off.
    case credited
    /// Voided on or before the date: counts nothing.
    case void
}
