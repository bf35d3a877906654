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

    @Test func roundsHalfToEven() throws {
        let cases: [(Int64, Int64, Int64)] = [
            (5, 2, 2), (7, 2, 4), (-5, 2, -2), (-7, 2, -4), (5, -2, -2), (1, 3, 0), (2, 3, 1),
            (15, 10, 2), (25, 10, 2), (35, 10, 4), (-25, 10, -2), (24, 10, 2), (26, 10, 3), (0, 7, 0),
        ]
        for (numerator, denominator, expected) in cases {
            #expect(Money.roundHalfEven(numerator: numerator, denominator: denominator) == expected,
                    "\(numerator)/\(denominator)")
        }
        // A 1.5% fee on 1,000.05 USD is 15.00075: 15.00. On 1,000.50 it is 15.0075: 15.01.
        #expect(try Money(amountMinor: 100_005, currency: "USD").times(150, over: 10_000).amountMinor == 1500)
        #expect(try Money(amountMinor: 100_050, currency: "USD").times(150, over: 10_000).amountMinor == 1501)
        // No intermediate overflow: the product exceeds Int64.
        #expect(try Money(amountMinor: Int64.max, currency: "USD").times(1, over: 2).amountMinor == 4_611_686_018_427_387_904)
        #expect(throws: ServiceError.self) { try Money(amountMinor: Int64.max, currency: "USD").times(3, over: 2) }
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
            let rounded = Money.roundHalfEven(numerator: numerator, denominator: denominator)
            // |rounded x d - n| x 2 <= d, and on a tie the result is even.
            let error = (rounded * denominator - numerator).magnitude * 2
            #expect(error <= denominator.magnitude)
            if error == denominator.magnitude { #expect(rounded % 2 == 0) }
            #expect(Money.roundHalfEven(numerator: -numerator, denominator: denominator) == -rounded)
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
