import Foundation
import Postgres

/// What an invoice charges once it is overdue. The worker accrues the fees as
/// dated charges; the policy only says how much.
public enum LateFeePolicy: Sendable, Codable, Equatable {
    case none
    /// A fixed amount, in the invoice's currency, after `graceDays` past due.
    case flat(amountMinor: Int64, graceDays: Int)
    /// Basis points of the overdue balance per month (150 = 1.5%), after `graceDays`.
    case percent(basisPointsPerMonth: Int, graceDays: Int)

    var graceDays: Int {
        switch self {
        case .none: 0
        case .flat(_, let days), .percent(_, let days): days
        }
    }

    func validate() throws {
        switch self {
        case .none:
            break
        case .flat(let amount, _) where amount <= 0:
            throw ServiceError.invalid("a flat late fee must be greater than 0")
        case .percent(let points, _) where !(1...10_000).contains(points):
            throw ServiceError.invalid("a late fee rate must be 1-10000 basis points a month, not \(points)")
        default:
            break
        }
        guard (0...365).contains(graceDays) else {
            throw ServiceError.invalid("late-fee grace must be 0-365 days, not \(graceDays)")
        }
    }
}
