/// ISO 4217 currencies and their exponents (decimal places of the minor unit).
///
/// A static mirror of the `currencies` table of sql/0001_core.sql, so that parsing
/// and formatting an amount needs no round trip; a test compares the two on every
/// run, so a migration that adds a currency without adding it here fails loudly.
public enum Currency {
    /// Exponent by code.
    public static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        for (exponent, codes) in [(0, zero), (2, two), (3, three), (4, four)] {
            for code in codes { table[code] = exponent }
        }
        return table
    }()

    /// The number of decimals `code` has, or a refusal naming the unknown code.
    public static func exponent(of code: String) throws -> Int {
        guard let exponent = exponents[code] else {
            throw ServiceError.invalid("unknown currency \"\(code)\": use an ISO 4217 code such as USD")
        }
        return exponent
    }

    /// Refuses an unknown code; returns it when known.
    @discardableResult
    public static func validate(_ code: String) throws -> String {
        _ = try exponent(of: code)
        return code
    }

    private static let zero = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ]
    private static let two = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
        "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
        "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN",
        "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG",
        "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
        "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
        "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP",
        "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
        "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD",
        "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR",
        "ZMW", "ZWG", "ZWL",
    ]
    private static let three = [
        "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
    ]
    private static let four = [
        "CLF", "UYW",
    ]
}
