import Foundation
import Postgres

/// One past-due ageing bucket: `from_days` ... `to_days` days past due (`to_days`
/// nil for the last, open-ended bucket) and the balance in it.
public struct AgeingBucket: Sendable, Equatable, Codable {
    public var label: String
    public var fromDays: Int
    public var toDays: Int?
    public var amountMinor: Int

    public init(label: String, fromDays: Int, toDays: Int?, amountMinor: Int) {
        self.label = label
        self.fromDays = fromDays
        self.toDays = toDays
        self.amountMinor = amountMinor
    }

    enum CodingKeys: String, CodingKey {
        case label
        case fromDays = "from_days"
        case toDays = "to_days"
        case amountMinor = "amount_minor"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(fromDays, forKey: .fromDays)
        try container.encodeOrNull(toDays, forKey: .toDays)
        try container.encode(amountMinor, forKey: .amountMinor)
    }
}
