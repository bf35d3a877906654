import CollectionsService
import Foundation

/// An ageing as SVG bars, laid out on the server: current, then each past-due
/// bucket, heights in proportion to the largest. Only numbers and escaped
/// labels reach the template; the figures themselves are in the table beside it.
struct AgeingChart: Sendable {
    struct Bar: Sendable {
        var label: String
        var text: String
        var short: String
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var labelX: Int
        var labelY: Int
        var valueY: Int
        var fill: String
    }

    var width: Int
    var height: Int
    var baseline: Int
    var bars: [Bar]
    /// The text alternative: every bar in words.
    var summary: String

    /// Dark enough on white for text and shapes (WCAG AA, 3:1 and more).
    static let fills = ["#1e6b34", "#8a6d00", "#b35c00", "#b42318", "#7a1a12", "#5c1010"]

    init(_ figures: AgeingFigures) {
        let amounts = [("Current", Int64(figures.currentMinor))]
            + figures.buckets.map { ($0.label, Int64($0.amountMinor)) }
        let slot = 80
        width = 40 + slot * amounts.count
        height = 200
        baseline = 160
        let largest = max(1, amounts.map { max(0, $0.1) }.max() ?? 1)
        bars = amounts.enumerated().map { index, item in
            let money = Money(amountMinor: item.1, currency: figures.currency)
            let barHeight = Int((Double(max(0, item.1)) / Double(largest) * 130).rounded())
            let x = 40 + index * slot + 10
            return Bar(
                label: item.0, text: money.formatted, short: Self.compact(item.1, currency: figures.currency), x: x, y: 160 - barHeight, width: slot - 20,
                height: barHeight, labelX: x + (slot - 20) / 2, labelY: 176, valueY: 192,
                fill: Self.fills[min(index, Self.fills.count - 1)])
        }
        summary = amounts.map { "\($0.0): \(Money(amountMinor: $0.1, currency: figures.currency).formatted)" }
            .joined(separator: "; ")
    }

    /// A bar's label under it, short enough to fit ("19.6k", "1.2M"); the exact
    /// amount is the bar's title and the table's.
    static func compact(_ minor: Int64, currency: String) -> String {
        let exponent = (try? Currency.exponent(of: currency)) ?? 2
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let major = Double(minor) / Double(scale)
        switch abs(major) {
        case 1_000_000...: return String(format: "%.1fM", major / 1_000_000)
        case 1_000...: return String(format: "%.1fk", major / 1_000)
        default: return String(format: "%.0f", major)
        }
    }
}
