import Crypto
import Foundation
import Postgres

/// A payment with what it paid and what is left of it as unapplied credit.
public struct PaymentSummary: Sendable, Codable, Equatable {
    public var payment: Payment
    public var applications: [PaymentApplication]
    /// Not applied to any invoice (0 once reversed).
    public var unapplied: Money
}
