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

extension PaymentSummary {
    /// The payment as of `date`: its unapplied rest is what its applications by
    /// then left, or 0 when it was not yet received or already reversed.
    init(of payment: Payment, applications: [PaymentApplication], on date: CalendarDate) {
        let counts = payment.receivedOn <= date && !(payment.reversedOn.map { $0 <= date } ?? false)
        let applied = applications.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        self.init(
            payment: payment, applications: applications,
            unapplied: Money(amountMinor: counts ? payment.amount.amountMinor - applied : 0, currency: payment.amount.currency))
    }
}
