import Foundation

/// The two sides of a comparison.
enum Side {
    case baseline, ours

    /// Run 1 starts with the baseline, run 2 with ours, and so on.
    static func order(ofRun index: Int) -> [Side] {
        index % 2 == 1 ? [.baseline, .ours] : [.ours, .baseline]
    }
}

/// One timed run of one side: its rate, and the CPU the client spent per
/// operation (user + system, all threads), which shows a client's overhead even
/// when the server is the bottleneck.
struct Measurement: Codable, Sendable {
    var rate: Double
    var clientCPUMicrosPerOp: Double

    init(rate: Double, clientCPUMicrosPerOp: Double) {
        // Rounded: more digits would be noise, in the JSON too.
        self.rate = (rate * 10).rounded() / 10
        self.clientCPUMicrosPerOp = (clientCPUMicrosPerOp * 100).rounded() / 100
    }
}

/// Our figure against a baseline's, each the median of its runs.
struct Comparison: Codable, Sendable {
    static let target = 0.90

    var name: String
    /// What was measured, for machines: clients and seconds, or rows.
    var clients: Int?
    var seconds: Int?
    var rows: Int?
    var unit: String
    var baselineName: String
    var ours: Double
    var baseline: Double
    var ratio: Double
    var target: Double
    var metTarget: Bool
    var oursClientCPUMicrosPerOp: Double
    var baselineClientCPUMicrosPerOp: Double
    var oursRuns: [Measurement]
    var baselineRuns: [Measurement]

    init(
        name: String, clients: Int? = nil, seconds: Int? = nil, rows: Int? = nil, unit: String, baselineName: String,
        ours: [Measurement], baseline: [Measurement]
    ) {
        self.name = name
        self.clients = clients
        self.seconds = seconds
        self.rows = rows
        self.unit = unit
        self.baselineName = baselineName
        self.ours = Self.median(ours.map(\.rate))
        self.baseline = Self.median(baseline.map(\.rate))
        ratio = self.baseline > 0 ? (self.ours / self.baseline * 1000).rounded() / 1000 : 0
        target = Self.target
        metTarget = ratio >= Self.target
        oursClientCPUMicrosPerOp = Self.median(ours.map(\.clientCPUMicrosPerOp))
        baselineClientCPUMicrosPerOp = Self.median(baseline.map(\.clientCPUMicrosPerOp))
        oursRuns = ours
        baselineRuns = baseline
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var line: String {
        "\(name): ours \(Format.integer(ours)) \(unit) | \(baselineName) \(Format.integer(baseline)) \(unit) | "
            + "ratio \(String(format: "%.2f", ratio)) (target >= \(String(format: "%.2f", target)))"
    }

    var detailLines: [String] {
        func rates(_ runs: [Measurement]) -> String { runs.map { Format.integer($0.rate) }.joined(separator: " / ") }
        return [
            "  runs: ours \(rates(oursRuns)) | \(baselineName) \(rates(baselineRuns))",
            "  client CPU per \(unit == "tps" ? "transaction" : "row") (median): ours "
                + "\(String(format: "%.2f", oursClientCPUMicrosPerOp)) us | \(baselineName) "
                + "\(String(format: "%.2f", baselineClientCPUMicrosPerOp)) us",
        ]
    }
}

struct Report: Codable, Sendable {
    var machine: MachineInfo
    var insert: Comparison?
    var copy: Comparison?
    var peakResidentBytes: Int?

    func text() -> String {
        var lines = ["machine: \(machine.line)"]
        for comparison in [insert, copy].compactMap({ $0 }) {
            lines.append(comparison.line)
            lines += comparison.detailLines
        }
        if let peakResidentBytes { lines.append("peak resident memory of collections-bench: \(Format.bytes(peakResidentBytes))") }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

enum Format {
    /// 12,345: rounded, with thousands separators, locale-independent.
    static func integer(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let digits = String(Int(value.rounded()))
        let negative = digits.hasPrefix("-")
        var body = Array(negative ? String(digits.dropFirst()) : digits)
        var index = body.count - 3
        while index > 0 {
            body.insert(",", at: index)
            index -= 3
        }
        return (negative ? "-" : "") + String(body)
    }

    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
