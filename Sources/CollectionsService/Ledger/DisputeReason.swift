/// Why a client disputes an invoice: the codes lenders report on and route by.
public enum DisputeReason: String, Sendable, Codable, CaseIterable {
    case pricing
    case goodsOrService = "goods_or_service"
    case alreadyPaid = "already_paid"
    case notMine = "not_mine"
    case fraud
    case other

    /// The codes, for a one-line error.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
