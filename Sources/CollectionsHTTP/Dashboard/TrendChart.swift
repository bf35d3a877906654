import CollectionsService
import Foundation
import Postgres

/// One KPI's stored values over the days to a day as an SVG line, laid out on
/// the server: x by day across the window, y between the window's least and
/// greatest value. Days with no value (no snapshot, or a ratio with nothing to
/// divide by) leave the line out there.
struct TrendChart: Sendable {
    var id: String
    var label: String
    var currency: String
    var asOf: String
    var fromDay: String
    /// The polyline's points, "x,y x,y ..."; nil with fewer than two values.
    var points: String?
    var minText: String
    var maxText: String
    var latest: String
    /// The text alternative: the range and the first and last values.
    var summary: String

    init(id: String, label: String, currency: String, through: CalendarDate, days: Int, values: [(CalendarDate, Double)]) {
        self.id = id
        self.label = label
        self.currency = currency
        asOf = through.description
        let from = through.adding(days: -(days - 1))
        fromDay = from.description
        let numbers = values.map(\.1)
        let low = numbers.min() ?? 0
        let high = numbers.max() ?? 0
        let span = high - low
        minText = Self.text(low)
        maxText = Self.text(high)
        latest = values.last.map { "\(Self.text($0.1)) on \($0.0)" } ?? "none"
        if values.count >= 2 {
            points = values.map { day, value in
                let x = 40 + 250 * Double(day.days(since: from)) / Double(max(1, days - 1))
                let y = span == 0 ? 60 : 110 - 100 * (value - low) / span
                return String(format: "%.1f,%.1f", x, y)
            }.joined(separator: " ")
        } else {
            points = nil
        }
        if let first = values.first, let last = values.last {
            summary = "\(label) from \(Self.text(first.1)) on \(first.0) to \(Self.text(last.1)) on \(last.0); "
                + "lowest \(minText), highest \(maxText), \(values.count) stored days"
        } else {
            summary = "no stored values of \(label) in the window"
        }
    }

    /// Ratios as the reports round them: 2 decimals.
    static func text(_ value: Double) -> String { String(format: "%.2f", value) }
}
