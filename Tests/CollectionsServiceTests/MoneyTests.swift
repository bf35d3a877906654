import CollectionsService
import Foundation
import Postgres
import PropertyBased
import Testing
import TestSupport

@Suite struct MoneyTests {
    func parse(_ text: String, _ currency: String = "USD", sign: Money.Sign = .positive) throws -> Int64 {
        try Money(parsing: text, currency: currency, sign: sign).amountMinor
    }

    func refusal(_ text: String, _ currency: String = "USD", sign: Money.Sign = .positive) -> ServiceError? {
        #expect(throws: ServiceError.self) { try Money(parsing: text, currency: currency, sign: sign) }
    }

    @Test func parsesMajorUnitsExactlyByTheCurrencyExponent() throws {
        #expect(try parse("1234.56") == 123_456)
        #expect(try parse("12") == 1200)
        #expect(try parse("12.3") == 1230)
        #expect(try parse("0.05") == 5)
        #expect(try parse("007.50") == 750)
        #expect(try parse(" 1.00 ") == 100)
        #expect(try parse("1234", "JPY") == 1234)
        #expect(try parse("1.234", "BHD") == 1234)
        #expect(try parse("1.5", "BHD") == 1500)
        #expect(try parse("1.2345", "CLF") == 12345)
        #expect(try parse("9223372036854775807", "JPY") == Int64.max)
    }

    @Test func refusesMoreDecimalsThanTheCurrencyHasInsteadOfRounding() {
        #expect(refusal("12.345")?.message == "12.345 has more decimals than USD allows (2)")
        #expect(refusal("12.340")?.message == "12.340 has more decimals than USD allows (2)")
        #expect(refusal("1.5", "JPY")?.message == "1.5 has more decimals than JPY allows (0)")
        #expect(refusal("1.2345", "BHD")?.message == "1.2345 has more decimals than BHD allows (3)")
    }

    @Test func refusesWhatIsNotAPlainDecimal() {
        for text in ["1e5", "", "  ", "12,00", "1,000.00", "1.2.3", ".5", "5.", "+5", "abc", "1 000", "0x10", "١٢", "--5"] {
            let error = refusal(text)
            #expect(error?.kind == .invalid, "\(text)")
        }
        #expect(refusal("")?.message == "an amount is required")
        #expect(refusal("12,00")?.message.contains("no decimal comma") == true)
    }

    @Test func refusesAmountsOfTheWrongSignOrOutOfRange() throws {
        #expect(refusal("-5")?.message == "-5 is not a positive amount: it must be greater than 0")
        #expect(refusal("0")?.kind == .invalid)
        #expect(try parse("0", sign: .nonNegative) == 0)
        #expect(refusal("-0.01", sign: .nonNegative)?.kind == .invalid)
        #expect(try parse("-5", sign: .any) == -500)
        #expect(refusal("92233720368547758.08")?.message == "92233720368547758.08 USD is out of range")
        #expect(refusal("9223372036854775808", "JPY")?.kind == .invalid)
    }

    @Test func refusesAnUnknownCurrency() {
        #expect(refusal("1.00", "XXX")?.message == "unknown currency \"XXX\": use an ISO 4217 code such as USD")
        #expect(refusal("1.00", "usd")?.kind == .invalid)
    }

    @Test func formatsForPeopleAndForFiles() {
        #expect(Money(amountMinor: 123_456, currency: "USD").formatted == "1,234.56 USD")
        #expect(Money(amountMinor: 123_456, currency: "USD").plain == "1234.56")
        #expect(Money(amountMinor: 100_000_000, currency: "USD").formatted == "1,000,000.00 USD")
        #expect(Money(amountMinor: -5, currency: "USD").plain == "-0.05")
        #expect(Money(amountMinor: -123_456, currency: "USD").formatted == "-1,234.56 USD")
        #expect(Money(amountMinor: 0, currency: "USD").plain == "0.00")
        #expect(Money(amountMinor: 1_234_567, currency: "JPY").formatted == "1,234,567 JPY")
        #expect(Money(amountMinor: 1_234_567, currency: "JPY").plain == "1234567")
        #expect(Money(amountMinor: 1, currency: "BHD").formatted == "0.001 BHD")
        #expect(Money(amountMinor: 123, currency: "USD").formatted == "1.23 USD")
        #expect(Money(amountMinor: Int64.min, currency: "JPY").plain == "-9223372036854775808")
    }

    /// Test oracle, named as such: half-even rounding written out again in Swift,
    /// 128-bit, for the one implementation, `money_round_half_even` in SQL.
    static func oracleRoundHalfEven(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        let negative = (numerator < 0) != (denominator < 0)
        let n = numerator.magnitude
        let d = denominator.magnitude
        var quotient = n / d
        let remainder = n % d
        if remainder > d - remainder || (remainder == d - remainder && quotient % 2 == 1) { quotient += 1 }
        return negative ? -Int128(quotient) : Int128(quotient)
    }

    @Test func computedMoneyIsRoundedHalfToEvenBySQLAsTheOracleSays() async throws {
        let fixture = try await ServiceFixture.make("halfeven")
        var cases: [(Int128, Int128)] = [
            (5, 2), (7, 2), (-5, 2), (-7, 2), (5, -2), (1, 3), (2, 3), (15, 10), (25, 10), (35, 10), (-25, 10),
            (24, 10), (26, 10), (0, 7),
            // A 1.5% fee on 1,000.05 USD is 15.00075: 15.00; on 1,000.50 it is 15.0075: 15.01.
            (100_005 * 150, 10_000), (100_050 * 150, 10_000),
            // No intermediate overflow: the product exceeds Int64.
            (Int128(Int64.max) * 9_999, 10_000), (Int128(Int64.max), 2),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let principal = Int128(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator))
            let bp = Int128(Int64.random(in: 1...20_000, using: &generator))
            cases.append((principal * bp, 10_000))
            cases.append((principal, Int128(Int64.random(in: 1...7, using: &generator)) * 2))
        }
        let results = try await fixture.service.asRegistry { tx in
            try await tx.query("""
                SELECT money_round_half_even(n::numeric, d::numeric)::text
                FROM unnest(\(cases.map { String($0.0) })::text[], \(cases.map { String($0.1) })::text[]) AS c(n, d)
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(results.count == cases.count)
        for ((numerator, denominator), result) in zip(cases, results) {
            #expect(result == String(Self.oracleRoundHalfEven(numerator, denominator)), "\(numerator)/\(denominator)")
        }
        #expect(results[14] == "1500" && results[15] == "1501")
        await fixture.service.close()
    }

    @Test func formattingAndParsingRoundTrip() async {
        let currencies = ["USD", "JPY", "BHD", "CLF", "EUR"]
        await propertyCheck(count: 500, input: Gen.int64(in: -1_000_000_000_000_000...1_000_000_000_000_000), Gen.int(in: 0...4)) { minor, pick in
            let money = Money(amountMinor: minor, currency: currencies[pick])
            let parsed = try? Money(parsing: money.plain, currency: money.currency, sign: .any)
            #expect(parsed == money)
            let grouped = money.formatted.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: " \(money.currency)", with: "")
            #expect(grouped == money.plain)
        }
    }

    @Test func halfEvenIsTheNearestIntegerWithTiesToEven() async {
        await propertyCheck(count: 1000, input: Gen.int64(in: -1_000_000_000...1_000_000_000), Gen.int64(in: 1...100_000)) { numerator, denominator in
            let rounded = Int64(Self.oracleRoundHalfEven(Int128(numerator), Int128(denominator)))
            // |rounded x d - n| x 2 <= d, and on a tie the result is even.
            let error = (rounded * denominator - numerator).magnitude * 2
            #expect(error <= denominator.magnitude)
            if error == denominator.magnitude { #expect(rounded % 2 == 0) }
            #expect(Int64(Self.oracleRoundHalfEven(Int128(-numerator), Int128(denominator))) == -rounded)
        }
    }

    @Test func staticCurrencyTableMirrorsTheDatabase() async throws {
        let fixture = try await ServiceFixture.make("money")
        let rows = try await fixture.service.asRegistry { tx in
            try await tx.query("SELECT code::text, exponent FROM currencies ORDER BY code").decode((String, Int).self)
        }
        #expect(rows.count == Currency.exponents.count)
        for (code, exponent) in rows {
            #expect(Currency.exponents[code] == exponent, "\(code)")
        }
        await fixture.service.close()
    }
}
