/// Whole numbers as a person reads them: digits in groups of three, `12,345,678`.
/// The one grouping rule of every amount (`Money.formatted`) and count the
/// programs print.
public enum Thousands {
    public static func grouped(_ number: some BinaryInteger) -> String {
        let digits = String(number.magnitude)
        return (number < 0 ? "-" : "") + grouped(digits: digits)
    }

    /// A string of digits, grouped.
    static func grouped(digits: String) -> String {
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }
}
