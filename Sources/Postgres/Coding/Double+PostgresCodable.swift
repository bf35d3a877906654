/// For ratios and measurements. Never for money: amounts are integer minor units.
extension Double: PostgresCodable {
    public func postgresText() -> String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
    public static var postgresType: PostgresType { .float8 }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .float8 || type == .float4 || type == .numeric else { return nil }
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { return nil }
            self = value
        }
    }
}
