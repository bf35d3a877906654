import Foundation
import Postgres

/// Customer satisfaction over the DSO period (`report_csat`): the share of 4-5
/// scores x 100, the mean score, and how many scores. Scores have no currency.
public struct CSAT: Sendable, Equatable, Codable {
    public var percent: Double?
    public var average: Double?
    public var count: Int

    public init(percent: Double?, average: Double?, count: Int) {
        self.percent = percent
        self.average = average
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case percent = "csat_percent"
        case average = "csat_average"
        case count = "csat_count"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeOrNull(percent, forKey: .percent)
        try container.encodeOrNull(average, forKey: .average)
        try container.encode(count, forKey: .count)
    }
}
