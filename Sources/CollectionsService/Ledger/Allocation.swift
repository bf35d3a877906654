import Foundation
import Postgres

/// Which invoices money goes to.
public enum Allocation: Sendable, Codable, Equatable {
    /// The client's oldest-due open invoices in the same currency first (by due
    /// date, then issue date, then number), skipping disputed ones, until the
    /// money runs out or nothing is owed; the rest stays unapplied credit.
    case automatic
    /// Exactly these amounts to these invoices (an empty list leaves it all as credit).
    case explicit([InvoiceAmount])
}
