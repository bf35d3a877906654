public import Foundation

/// A payment an agency collected on a placement, posted through the one posting
/// path, with the commission it earned on it (half-even, `agency_commission_minor`).
public struct AgencyRemittance: Sendable, Codable, Equatable {
    public var placementID: UUID
    public var agency: String
    public var payment: PaymentSummary
    public var commissionBP: Int
    public var commission: Money
}
