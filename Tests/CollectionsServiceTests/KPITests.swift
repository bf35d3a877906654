import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

extension KPIReport {
    func row(_ currency: String) throws -> KPIReport.Currency {
        try #require(currencies.first { $0.currency == currency })
    }
}

@Suite struct KPITests {
    /// The book most tests start from. As of D = 2013-06-30 with the default
    /// periods P = 90 (2013-04-02 .. 06-30) and C = 30 (06-01 .. 06-30; D-C = 05-31),
    /// tenant time zone UTC, one client A, USD:
    ///
    ///   I1 10000 issued 03-15 due 04-14; 4000 paid 05-10        -> 6000 at D (77 days past due), 6000 at 05-31
    ///   I2 20000 issued 04-10 due 05-10; 5000 written off 06-15 -> 15000 at D (51 days),         20000 at 05-31
    ///   I3 30000 issued 05-20 due 06-19; paid in full 06-18     -> 0 at D,                       30000 at 05-31
    ///   I4 40000 issued 06-10 due 07-10                         -> 40000 at D (current),         not issued at 05-31
    ///   I5  5000 issued 06-20, voided 06-25                     -> nothing at D
    ///
    ///   AR(D) = 61000; current AR(D) = 40000; S(P) = I2 + I3 + I4 = 90000 (I1 before the period, I5 void)
    ///   DSO = 61000 / 90000 x 90 = 61.00; best = 40000 / 90000 x 90 = 40.00; ADD = 21.00
    ///   AR(D-C) = 6000 + 20000 + 30000 = 56000; S(C) = I4 = 40000
    ///   CEI = (56000 + 40000 - 61000) / (56000 + 40000 - 40000) x 100 = 35000 / 56000 x 100 = 62.50
    ///   percent current = 40000 / 61000 x 100 = 65.5737.. -> 65.57
    ///   bad debt = 5000 / 90000 x 100 = 5.5555.. -> 5.56
    ///   countback: June (30 days) sales 40000: R = 61000 -> 21000, 30 days; May (31) sales 30000 > 21000:
    ///     + 21000 / 30000 x 31 = 21.7 -> 51.70
    ///   promises: P1 made 06-01 for 3000 by 06-20, paid 30000 on 06-18: kept; P2 made 05-01 for 5000 by
    ///     05-05, nothing paid 05-01 .. 05-05: broken; P3 due 07-05 (open, not counted); P4 due 03-10
    ///     (before the period): 1 of 2 -> 50.00
    ///   satisfaction: 5 (04-02 00:00), 2 (05-15), 4 (06-30 23:59:59) in the period; 1 (04-01 23:59:59)
    ///     and 5 (07-01 00:00) outside: 2 of 3 are 4-5 -> 66.67, mean 11 / 3 -> 3.67, count 3
    static func mainBook() async throws -> ReportingBook {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        let i1 = try await book.invoice(a, 10_000, issued: "2013-03-15", due: "2013-04-14")
        try await book.pay(a, i1, 4_000, on: "2013-05-10")
        let i2 = try await book.invoice(a, 20_000, issued: "2013-04-10", due: "2013-05-10")
        try await book.writeOff(i2, 5_000, on: "2013-06-15")
        let i3 = try await book.invoice(a, 30_000, issued: "2013-05-20", due: "2013-06-19")
        try await book.pay(a, i3, 30_000, on: "2013-06-18")
        try await book.invoice(a, 40_000, issued: "2013-06-10", due: "2013-07-10")
        try await book.invoice(a, 5_000, issued: "2013-06-20", due: "2013-07-20", voided: "2013-06-25")

        try await book.note(a, at: "2013-06-01 10:00:00+00", promise: (3_000, "USD", "2013-06-20"))
        try await book.note(a, at: "2013-05-01 09:00:00+00", promise: (5_000, "USD", "2013-05-05"))
        try await book.note(a, at: "2013-06-25 09:00:00+00", promise: (1_000, "USD", "2013-07-05"))
        try await book.note(a, at: "2013-03-01 09:00:00+00", promise: (1_000, "USD", "2013-03-10"))

        try await book.note(a, at: "2013-04-02 00:00:00+00", satisfaction: 5)
        try await book.note(a, at: "2013-05-15 12:00:00+00", satisfaction: 2)
        try await book.note(a, at: "2013-06-30 23:59:59+00", satisfaction: 4)
        try await book.note(a, at: "2013-04-01 23:59:59+00", satisfaction: 1)
        try await book.note(a, at: "2013-07-01 00:00:00+00", satisfaction: 5)
        try await book.note(a, at: "2013-06-15 12:00:00+00")  // no score
        return book
    }

    @Test func everyKPIOfAHandComputedBook() async throws {
        let book = try await Self.mainBook()
        let report = try await book.kpis("2013-06-30")
        #expect(report.tenant == book.tenant.slug)
        #expect(report.asOf == ReportingBook.date("2013-06-30"))
        #expect(report.dsoPeriodDays == 90)
        #expect(report.ceiPeriodDays == 30)
        #expect(report.currencies.count == 1)
        let usd = try report.row("USD")
        #expect(usd.arMinor == 61_000)
        #expect(usd.currentMinor == 40_000)
        #expect(usd.creditSalesMinor == 90_000)
        #expect(usd.dso == 61.00)
        #expect(usd.countbackDSO == 51.70)
        #expect(usd.bestPossibleDSO == 40.00)
        #expect(usd.averageDaysDelinquent == 21.00)
        #expect(usd.cei == 62.50)
        #expect(usd.percentCurrent == 65.57)
        #expect(usd.badDebtRatio == 5.56)
        #expect(usd.promiseKeptRate == 50.00)
        #expect(usd.csatPercent == 66.67)
        #expect(usd.csatAverage == 3.67)
        #expect(usd.csatCount == 3)
        #expect(usd.ceiOpeningARMinor == 56_000)
        #expect(usd.ceiCreditSalesMinor == 40_000)
        #expect(usd.writeOffsMinor == 5_000)
        #expect(usd.promisesDue == 2)
        #expect(usd.promisesKept == 1)
        #expect(report.csat == CSAT(percent: 66.67, average: 3.67, count: 3))
        // The ageing of the same book agrees on AR and current.
        let ageing = try await book.ageing("2013-06-30").row("USD")
        #expect(ageing.totalMinor == usd.arMinor)
        #expect(ageing.currentMinor == usd.currentMinor)
    }

    @Test func periodsFollowTheTenantsSettings() async throws {
        var book = try await Self.mainBook()
        try await book.configure(dsoPeriodDays: 30, ceiPeriodDays: 10)
        // P = 30 (06-01 .. 06-30): S(P) = I4 = 40000 (I5 void)
        //   DSO = 61000 x 30 / 40000 = 45.75; best = 30.00; ADD = 15.75
        //   bad debt = 5000 / 40000 x 100 = 12.50
        //   promises due 06-01 .. 06-30: P1 only, kept -> 100.00; satisfaction in June: the 4 -> 100.00, 4.00, 1
        // C = 10 (06-21 .. 06-30; D-C = 06-20): S(C) = 0 (I5 void at D)
        //   AR(06-20) = I1 6000 + I2 15000 + I3 0 + I4 40000 + I5 5000 (issued 06-20, not yet void) = 66000
        //   CEI = (66000 + 0 - 61000) / (66000 + 0 - 40000) x 100 = 5000 / 26000 x 100 = 19.2307.. -> 19.23
        // countback is per calendar month: unchanged, 51.70.
        let report = try await book.kpis("2013-06-30")
        #expect(report.dsoPeriodDays == 30)
        #expect(report.ceiPeriodDays == 10)
        let usd = try report.row("USD")
        #expect(usd.creditSalesMinor == 40_000)
        #expect(usd.dso == 45.75)
        #expect(usd.bestPossibleDSO == 30.00)
        #expect(usd.averageDaysDelinquent == 15.75)
        #expect(usd.badDebtRatio == 12.50)
        #expect(usd.ceiOpeningARMinor == 66_000)
        #expect(usd.ceiCreditSalesMinor == 0)
        #expect(usd.cei == 19.23)
        #expect(usd.countbackDSO == 51.70)
        #expect(usd.promiseKeptRate == 100.00)
        #expect(usd.csatPercent == 100.00)
        #expect(usd.csatAverage == 4.00)
        #expect(usd.csatCount == 1)
    }

    @Test func anEmptyBookHasNullRatiosAndZeroCounts() async throws {
        let book = try await ReportingBook.make()
        let report = try await book.kpis("2013-06-30")
        // No sales: DSO, best, ADD, bad debt null. Nothing collectible (0 + 0 - 0): CEI null.
        // AR 0: percent current null. No promises, no scores: null, count 0.
        // Countback: R = 0 stops the walk at once with nothing left to count: 0.
        #expect(report.currencies == [KPIReport.Currency(
            currency: "USD", arMinor: 0, currentMinor: 0, creditSalesMinor: 0, dso: nil, countbackDSO: 0,
            bestPossibleDSO: nil, averageDaysDelinquent: nil, cei: nil, percentCurrent: nil, badDebtRatio: nil,
            promiseKeptRate: nil, csatPercent: nil, csatAverage: nil, csatCount: 0, ceiOpeningARMinor: 0,
            ceiCreditSalesMinor: 0, writeOffsMinor: 0, promisesDue: 0, promisesKept: 0)])
        #expect(report.csat == CSAT(percent: nil, average: nil, count: 0))
    }

    @Test func noCreditSalesInThePeriodMakesDSOBestADDAndBadDebtNull() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        // One invoice of 1000 issued 2013-01-10, long before the DSO period.
        try await book.invoice(a, 1_000, issued: "2013-01-10", due: "2013-02-09")
        let usd = try await book.kpis("2013-06-30").row("USD")
        #expect(usd.arMinor == 1_000)
        #expect(usd.creditSalesMinor == 0)
        #expect(usd.dso == nil)
        #expect(usd.bestPossibleDSO == nil)
        #expect(usd.averageDaysDelinquent == nil)
        #expect(usd.badDebtRatio == nil)
        // percent current = 0 / 1000 = 0.00; CEI = (1000 + 0 - 1000) / (1000 + 0 - 0) = 0.00
        #expect(usd.percentCurrent == 0.00)
        #expect(usd.cei == 0.00)
        // Countback: June 30 + May 31 + April 30 + March 31 + February 28 days without sales are
        // walked whole (R = 1000 >= 0); January's sales are exactly R: walked too (+31, R = 0);
        // December: R = 0, stop. 150 + 31 = 181.
        #expect(usd.countbackDSO == 181.00)
        #expect(usd.promiseKeptRate == nil)
        #expect(usd.csatPercent == nil)
        #expect(usd.csatAverage == nil)
        #expect(usd.csatCount == 0)
    }

    @Test func nothingCollectibleMakesCEINull() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        // Issued in the CEI period and not yet due: AR(D-C) 0 + S(C) 5000 - current 5000 = 0.
        try await book.invoice(a, 5_000, issued: "2013-06-10", due: "2013-07-10")
        let usd = try await book.kpis("2013-06-30").row("USD")
        #expect(usd.cei == nil)
        #expect(usd.dso == 90.00)
        #expect(usd.bestPossibleDSO == 90.00)
        #expect(usd.averageDaysDelinquent == 0.00)
        #expect(usd.percentCurrent == 100.00)
        #expect(usd.badDebtRatio == 0.00)
        // June's sales are exactly R: 30 days, then R = 0 stops the walk.
        #expect(usd.countbackDSO == 30.00)
    }

    @Test func zeroARMakesPercentCurrentNull() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        let invoice = try await book.invoice(a, 5_000, issued: "2013-06-10", due: "2013-07-10")
        try await book.pay(a, invoice, 5_000, on: "2013-06-12")
        let usd = try await book.kpis("2013-06-30").row("USD")
        #expect(usd.arMinor == 0)
        #expect(usd.percentCurrent == nil)
        #expect(usd.dso == 0.00)
        #expect(usd.bestPossibleDSO == 0.00)
        #expect(usd.averageDaysDelinquent == 0.00)
        // CEI = (0 + 5000 - 0) / (0 + 5000 - 0) = 100.00
        #expect(usd.cei == 100.00)
        #expect(usd.countbackDSO == 0.00)
    }

    @Test func countbackWalksBackCalendarMonthsThroughALeapFebruary() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        // D = 2012-03-15. Month 0 is March 1-15 (15 days), then February 2012 (29), January (31),
        // December 2011 (31).
        //   March: 1000 open (and 9999 voided: not a sale)
        //   February: no sales
        //   January: 2000 open
        //   December: 4000, 2000 paid: 2000 open
        //   November: 8000, paid in full
        // AR = 1000 + 2000 + 2000 = 5000.
        // Walk: March 1000 -> R 4000, 15 days; February 0 -> R 4000, 44; January 2000 -> R 2000, 75;
        // December 4000 > 2000: + 2000 / 4000 x 31 = 15.5 -> 90.50.
        try await book.invoice(a, 1_000, issued: "2012-03-05", due: "2012-04-04")
        try await book.invoice(a, 9_999, issued: "2012-03-06", due: "2012-04-05", voided: "2012-03-07")
        try await book.invoice(a, 2_000, issued: "2012-01-20", due: "2012-02-19")
        let december = try await book.invoice(a, 4_000, issued: "2011-12-10", due: "2012-01-09")
        try await book.pay(a, december, 2_000, on: "2012-02-01")
        let november = try await book.invoice(a, 8_000, issued: "2011-11-05", due: "2011-12-05")
        try await book.pay(a, november, 8_000, on: "2011-12-01")
        let usd = try await book.kpis("2012-03-15").row("USD")
        #expect(usd.arMinor == 5_000)
        #expect(usd.countbackDSO == 90.50)
        // DSO over P = 90 (2011-12-17 .. 2012-03-15): S(P) = 1000 + 2000 = 3000; 5000 / 3000 x 90 = 150.00.
        #expect(usd.creditSalesMinor == 3_000)
        #expect(usd.dso == 150.00)
        // As of 2012-03-31 month 0 is the whole of March (31 days): R = 5000 - 1000 = 4000, 31;
        // February 29 -> 60; January 2000 -> R 2000, 91; December: + 2000 / 4000 x 31 = 15.5 -> 106.50.
        #expect(try await book.kpis("2012-03-31").row("USD").countbackDSO == 106.50)
    }

    @Test func countbackWalksAtMost24Months() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        // Owed since 2010 with no sales since: the 24 months 2011-07 .. 2013-06 are walked whole,
        // 366 + 365 = 731 days (February 2012 has 29), and the walk stops there.
        try await book.invoice(a, 1_000, issued: "2010-01-01", due: "2010-01-31")
        let usd = try await book.kpis("2013-06-30").row("USD")
        #expect(usd.countbackDSO == 731.00)
        #expect(usd.dso == nil)
    }

    @Test func promiseKeptRateCountsDuePromisesCoveredByTheClientsPayments() async throws {
        var book = try await ReportingBook.make()
        try await book.configure(promiseGraceDays: 3)
        let a = try await book.client("A")
        let b = try await book.client("B")
        // D = 2013-06-30, P = 90 (04-02 .. 06-30), grace 3: promises whose date + 3 is in the period.
        // PA: A, made 06-01, 1100 USD by 06-10 (+3 = 06-13); A pays 600 on 06-01 (the day it was made)
        //     and 500 on 06-13 (its last day): 1100 >= 1100, kept.
        try await book.note(a, at: "2013-06-01 10:00:00+00", promise: (1_100, "USD", "2013-06-10"))
        try await book.payment(a, 600, received: "2013-06-01")
        try await book.payment(a, 500, received: "2013-06-13")
        // PB: A, made 06-20, 2000 USD by 06-27 (+3 = 06-30, due at D); the 2000 paid 06-22 is
        //     reversed 06-29: broken.
        try await book.note(a, at: "2013-06-20 10:00:00+00", promise: (2_000, "USD", "2013-06-27"))
        try await book.payment(a, 2_000, received: "2013-06-22", reversed: "2013-06-29")
        // PC: A, made 06-25, by 06-28 (+3 = 07-01, after D): open, not counted.
        try await book.note(a, at: "2013-06-25 10:00:00+00", promise: (10, "USD", "2013-06-28"))
        // PD: A, 100 EUR by 05-10 (+3 = 05-13), paid 100 EUR 05-09: kept (EUR row).
        try await book.note(a, at: "2013-05-01 10:00:00+00", promise: (100, "EUR", "2013-05-10"))
        try await book.payment(a, 100, received: "2013-05-09", currency: "EUR")
        // PE: B, 700 USD by 05-10: A's USD payment and B's EUR payment do not count: broken.
        try await book.note(b, at: "2013-05-01 10:00:00+00", promise: (700, "USD", "2013-05-10"))
        try await book.payment(a, 700, received: "2013-05-05")
        try await book.payment(b, 700, received: "2013-05-06", currency: "EUR")
        // PF: A, made 04-20, 300 USD by 04-25; the 300 came 04-19, before the promise: broken.
        try await book.note(a, at: "2013-04-20 10:00:00+00", promise: (300, "USD", "2013-04-25"))
        try await book.payment(a, 300, received: "2013-04-19")

        // USD: PA kept; PB, PE, PF broken: 1 of 4 = 25.00. EUR: PD kept: 100.00.
        let report = try await book.kpis("2013-06-30")
        let usd = try report.row("USD")
        #expect(usd.promisesDue == 4)
        #expect(usd.promisesKept == 1)
        #expect(usd.promiseKeptRate == 25.00)
        let eur = try report.row("EUR")
        #expect(eur.promisesDue == 1)
        #expect(eur.promiseKeptRate == 100.00)
        // As of 06-28 (period 03-31 .. 06-28): PB is not due yet: 1 of 3 = 33.33.
        #expect(try await book.kpis("2013-06-28").row("USD").promiseKeptRate == 33.33)
        // Without grace PA's last payment (06-13) is too late: 600 < 1100, broken; PB (06-27) and
        // PC (06-28) are due now: 0 of 5 kept.
        try await book.configure(promiseGraceDays: 0)
        let strict = try await book.kpis("2013-06-30").row("USD")
        #expect(strict.promisesDue == 5)
        #expect(strict.promiseKeptRate == 0.00)
    }

    @Test func theTenantsTimeZoneDatesNotesAndPromises() async throws {
        // America/Chicago is UTC-5 in summer: 2013-07-01 03:00 UTC is still June 30 there.
        let book = try await ReportingBook.make(timeZone: "America/Chicago")
        let a = try await book.client("A")
        try await book.note(a, at: "2013-07-01 03:00:00+00", satisfaction: 5)  // June 30, 22:00: in
        try await book.note(a, at: "2013-07-01 05:30:00+00", satisfaction: 1)  // July 1, 00:30: out
        try await book.note(a, at: "2013-04-02 04:30:00+00", satisfaction: 1)  // April 1, 23:30: out
        try await book.note(a, at: "2013-04-02 05:30:00+00", satisfaction: 4)  // April 2, 00:30: in
        try await book.note(a, at: "2013-05-15 12:00:00+00", satisfaction: 2)
        // A promise made June 10 at 21:00 local (June 11 in UTC), kept by a payment on June 10.
        try await book.note(a, at: "2013-06-11 02:00:00+00", promise: (500, "USD", "2013-06-15"))
        try await book.payment(a, 500, received: "2013-06-10")
        let report = try await book.kpis("2013-06-30")
        let usd = try report.row("USD")
        #expect(usd.csatCount == 3)
        #expect(usd.csatPercent == 66.67)
        #expect(usd.csatAverage == 3.67)
        #expect(usd.promiseKeptRate == 100.00)
        #expect(report.csat == CSAT(percent: 66.67, average: 3.67, count: 3))
    }

    @Test func currenciesAreNeverMixedAndSatisfactionIsInEveryRow() async throws {
        let book = try await ReportingBook.make()
        let a = try await book.client("A")
        // USD 9000 issued 06-01, due 07-01 (current). EUR 3000 issued 04-15, due 05-15 (46 days late).
        try await book.invoice(a, 9_000, issued: "2013-06-01", due: "2013-07-01")
        try await book.invoice(a, 3_000, issued: "2013-04-15", due: "2013-05-15", currency: "EUR")
        try await book.note(a, at: "2013-06-03 12:00:00+00", satisfaction: 3)
        let report = try await book.kpis("2013-06-30")
        #expect(report.currencies.map(\.currency) == ["EUR", "USD"])
        // EUR: AR 3000, none current, S(P) 3000: DSO 90.00, best 0.00, ADD 90.00, percent current 0.00;
        // CEI (3000 + 0 - 3000) / (3000 + 0 - 0) = 0.00; countback June 0 (30), May 0 (61), April 3000 = R
        // (91), March: R = 0, stop: 91.00.
        let eur = try report.row("EUR")
        #expect(eur.arMinor == 3_000)
        #expect(eur.currentMinor == 0)
        #expect(eur.creditSalesMinor == 3_000)
        #expect(eur.dso == 90.00)
        #expect(eur.bestPossibleDSO == 0.00)
        #expect(eur.averageDaysDelinquent == 90.00)
        #expect(eur.percentCurrent == 0.00)
        #expect(eur.cei == 0.00)
        #expect(eur.countbackDSO == 91.00)
        // USD: AR 9000, all current, S(P) 9000: DSO 90.00, best 90.00, ADD 0.00, percent 100.00;
        // CEI (0 + 9000 - 9000) / (0 + 9000 - 9000): null; countback June 9000 = R: 30.00.
        let usd = try report.row("USD")
        #expect(usd.arMinor == 9_000)
        #expect(usd.dso == 90.00)
        #expect(usd.bestPossibleDSO == 90.00)
        #expect(usd.averageDaysDelinquent == 0.00)
        #expect(usd.percentCurrent == 100.00)
        #expect(usd.cei == nil)
        #expect(usd.countbackDSO == 30.00)
        // One score of 3: 0 of 1 are 4-5; the same figures in both rows and at the top.
        for row in report.currencies {
            #expect(row.csatPercent == 0.00)
            #expect(row.csatAverage == 3.00)
            #expect(row.csatCount == 1)
        }
        #expect(report.csat == CSAT(percent: 0.00, average: 3.00, count: 1))
    }

    @Test func satisfactionIsReportedEvenWithoutAnyCurrencyRow() async throws {
        // A tenant with no default currency and no ledger: no currency rows; its scores still show.
        let book = try await ReportingBook.make(currency: nil)
        let a = try await book.client("A")
        try await book.note(a, at: "2013-06-03 12:00:00+00", satisfaction: 5)
        try await book.note(a, at: "2013-06-04 12:00:00+00", satisfaction: 4)
        try await book.note(a, at: "2013-06-05 12:00:00+00", satisfaction: 4)
        let report = try await book.kpis("2013-06-30")
        #expect(report.currencies.isEmpty)
        #expect(report.csat == CSAT(percent: 100.00, average: 4.33, count: 3))
        #expect(try await book.ageing("2013-06-30").currencies.isEmpty)
    }

    @Test func aKPIReportForAPastDateIsReproducible() async throws {
        let book = try await Self.mainBook()
        let before = try await book.kpis("2013-06-30")
        let a = try await book.client("Z")
        // Later facts: a sale, a payment, a write-off, a score and a promise, all dated after D.
        let late = try await book.invoice(a, 1_000, issued: "2013-07-01", due: "2013-07-31")
        try await book.pay(a, late, 400, on: "2013-07-02")
        try await book.writeOff(late, 100, on: "2013-07-03")
        try await book.note(a, at: "2013-07-01 00:00:01+00", satisfaction: 1,
                            promise: (1, "USD", "2013-06-29"))
        #expect(try await book.kpis("2013-06-30") == before)
        #expect(try await book.kpis("2013-07-03") != before)
    }

    @Test func ratiosAreRoundedOnceToTwoPlacesAndNullOnAZeroDenominator() async throws {
        let book = try await ReportingBook.make()
        let rows = try await book.service.withTenant(book.tenant.id) { tx in
            try await tx.query("""
                SELECT report_ratio(1, 8), report_ratio(-1, 8), report_ratio(2, 3), report_ratio(5, 0),
                       report_ratio(0, 0), report_ratio(1, 3 * 10::numeric ^ 17)
                """).decode((Double?, Double?, Double?, Double?, Double?, Double?).self)
        }
        let (eighth, minusEighth, twoThirds, byZero, zeroByZero, tiny) = try #require(rows.first)
        #expect(eighth == 0.13)
        #expect(minusEighth == -0.13)
        #expect(twoThirds == 0.67)
        #expect(byZero == nil)
        #expect(zeroByZero == nil)
        #expect(tiny == 0.00)
    }

    @Test func jsonHasDesignsFieldsWithNullsPresent() async throws {
        let book = try await ReportingBook.make()
        let object = try ReportingBook.json(try await book.kpis("2013-06-30"))
        let top: Set = ["tenant", "as_of", "dso_period_days", "cei_period_days", "currencies"]
        #expect(top.isSubset(of: Set(object.keys)))
        #expect(Set(object.keys).subtracting(top) == ["promise_grace_days", "csat", "agencies", "collectors"])
        // No collectors, no rows (their keys: CollectorTests).
        #expect((object["collectors"] as? [Any])?.isEmpty == true)
        #expect(object["tenant"] as? String == book.tenant.slug)
        #expect(object["as_of"] as? String == "2013-06-30")
        #expect(object["dso_period_days"] as? Int == 90)
        #expect(object["cei_period_days"] as? Int == 30)
        let currencies = try #require(object["currencies"] as? [[String: Any]])
        let usd = try #require(currencies.first)
        let design: Set = [
            "currency", "ar_minor", "current_minor", "credit_sales_minor", "dso", "countback_dso",
            "best_possible_dso", "average_days_delinquent", "cei", "percent_current", "bad_debt_ratio",
            "promise_kept_rate", "csat_percent", "csat_average", "csat_count",
        ]
        #expect(design.isSubset(of: Set(usd.keys)))
        #expect(Set(usd.keys).subtracting(design) == [
            "cei_opening_ar_minor", "cei_credit_sales_minor", "write_offs_minor", "promises_due", "promises_kept",
            "plan_kept_rate", "plans_ended", "plans_kept",
        ])
        // An empty book: every ratio with a zero denominator is present, as null.
        for key in ["dso", "best_possible_dso", "average_days_delinquent", "cei", "percent_current",
                    "bad_debt_ratio", "promise_kept_rate", "csat_percent", "csat_average"] {
            #expect(usd[key] is NSNull, "\(key) should be null")
        }
        #expect(usd["countback_dso"] as? Double == 0)
        #expect(usd["csat_count"] as? Int == 0)
        #expect(usd["ar_minor"] as? Int == 0)
        let csat = try #require(object["csat"] as? [String: Any])
        #expect(Set(csat.keys) == ["csat_percent", "csat_average", "csat_count"])
        #expect(csat["csat_percent"] is NSNull)

        // A full book encodes its numbers as JSON numbers and reads back equal.
        let full = try await Self.mainBook().kpis("2013-06-30")
        let row = try #require((try ReportingBook.json(full)["currencies"] as? [[String: Any]])?.first)
        #expect(row["dso"] as? Double == 61)
        #expect(row["percent_current"] as? Double == 65.57)
        #expect(row["ar_minor"] as? Int == 61_000)
        #expect(try JSONDecoder().decode(KPIReport.self, from: try JSONEncoder().encode(full)) == full)
    }
}

/// A random book (seeded, so a failure reproduces) written into a tenant and also
/// kept in memory, where DESIGN.md's rules are applied invoice by invoice, the
/// slow obvious way, to check the set-based SQL against.
private struct NaiveBook {
    struct Invoice {
        var id = UUID()
        var client: Int
        var currency: String
        var amount: Int
        var issued: CalendarDate
        var due: CalendarDate
        var voided: CalendarDate?
        var charges: [(amount: Int, on: CalendarDate)] = []
        var writeOffs: [(amount: Int, on: CalendarDate)] = []
        var disputes: [(amount: Int, opened: CalendarDate, resolved: CalendarDate?)] = []
    }
    struct Payment {
        var id = UUID()
        var client: Int
        var currency: String
        var amount: Int
        var received: CalendarDate
        var reversed: CalendarDate?
        var applications: [(invoice: Int, amount: Int, on: CalendarDate)] = []
    }
    struct Promise {
        var client: Int
        var madeOn: CalendarDate
        var amount: Int
        var currency: String
        var date: CalendarDate
    }

    var invoices: [Invoice] = []
    var payments: [Payment] = []
    var promises: [Promise] = []
    var scores: [(on: CalendarDate, score: Int)] = []

    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func random(seed: UInt64) -> NaiveBook {
        var rng = SplitMix64(state: seed)
        var book = NaiveBook()
        let start = CalendarDate("2012-10-01")!
        func day(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        for _ in 0..<60 {
            let issued = start.adding(days: day(0...270))
            var invoice = Invoice(
                client: day(0...2), currency: day(0...3) == 0 ? "EUR" : "USD", amount: day(1...500) * 100,
                issued: issued, due: issued.adding(days: day(0...60)))
            if day(0...9) == 0 { invoice.voided = issued.adding(days: day(0...40)) }
            if day(0...5) == 0 { invoice.charges.append((day(1...50) * 10, invoice.due.adding(days: day(1...60)))) }
            if day(0...7) == 0 { invoice.writeOffs.append((invoice.amount / 3, invoice.due.adding(days: day(30...120)))) }
            if day(0...6) == 0 {
                let opened = issued.adding(days: day(0...60))
                // Part of the invoice, or all of it.
                let amount = day(0...1) == 0 ? invoice.amount : day(1...invoice.amount / 100) * 100
                invoice.disputes.append((amount, opened, day(0...1) == 0 ? opened.adding(days: day(0...60)) : nil))
            }
            book.invoices.append(invoice)
            let index = book.invoices.count - 1
            if invoice.voided == nil, day(0...9) < 7 {
                let received = issued.adding(days: day(0...100))
                let applied = min(invoice.amount, day(1...6) * invoice.amount / 5)
                var payment = Payment(
                    client: invoice.client, currency: invoice.currency, amount: applied + (day(0...4) == 0 ? 700 : 0),
                    received: received, reversed: day(0...9) == 0 ? received.adding(days: day(0...30)) : nil)
                payment.applications.append((index, applied, received.adding(days: day(0...1) == 0 ? 0 : day(1...20))))
                book.payments.append(payment)
            }
        }
        for _ in 0..<5 {  // payments nobody applied
            book.payments.append(Payment(
                client: day(0...2), currency: "USD", amount: day(1...90) * 10, received: start.adding(days: day(0...300))))
        }
        for _ in 0..<25 {
            let madeOn = start.adding(days: day(0...300))
            book.promises.append(Promise(
                client: day(0...2), madeOn: madeOn, amount: day(1...300) * 100, currency: day(0...3) == 0 ? "EUR" : "USD",
                date: madeOn.adding(days: day(0...20))))
        }
        for _ in 0..<30 { book.scores.append((start.adding(days: day(0...300)), day(1...5))) }
        return book
    }

    func write(into book: ReportingBook) async throws {
        var clients: [UUID] = []
        for index in 0..<3 { clients.append(try await book.client("R\(index)")) }
        for invoice in invoices {
            try await book.execute("""
                INSERT INTO invoices (tenant_id, id, client_id, number, currency, amount_minor, issued_on, due_on, voided_on, void_reason)
                VALUES (current_tenant_id(), \(invoice.id), \(clients[invoice.client]), \(invoice.id.uuidString), \(invoice.currency),
                        \(invoice.amount), \(invoice.issued), \(invoice.due), \(invoice.voided),
                        \(invoice.voided == nil ? nil : "void"))
                """)
            for charge in invoice.charges { try await book.charge(invoice.id, charge.amount, on: charge.on.description) }
            for writeOff in invoice.writeOffs { try await book.writeOff(invoice.id, writeOff.amount, on: writeOff.on.description) }
            for dispute in invoice.disputes {
                try await book.dispute(
                    invoice.id, amount: dispute.amount, opened: dispute.opened.description, resolved: dispute.resolved?.description)
            }
        }
        for payment in payments {
            try await book.execute("""
                INSERT INTO payments (tenant_id, id, client_id, reference, currency, amount_minor, received_on, reversed_on)
                VALUES (current_tenant_id(), \(payment.id), \(clients[payment.client]), \(payment.id.uuidString),
                        \(payment.currency), \(payment.amount), \(payment.received), \(payment.reversed))
                """)
            for application in payment.applications {
                try await book.apply(payment.id, to: invoices[application.invoice].id, application.amount,
                                     on: application.on.description)
            }
        }
        for promise in promises {
            try await book.note(clients[promise.client], at: "\(promise.madeOn) 12:00:00+00",
                                promise: (promise.amount, promise.currency, promise.date.description))
        }
        for score in scores { try await book.note(clients[0], at: "\(score.on) 08:00:00+00", satisfaction: score.score) }
    }

    // MARK: The rules, one invoice at a time

    func live(_ invoice: Invoice, at d: CalendarDate) -> Bool {
        invoice.issued <= d && !(invoice.voided.map { $0 <= d } ?? false)
    }

    func balance(_ index: Int, at d: CalendarDate) -> Int {
        let invoice = invoices[index]
        var balance = invoice.amount
        balance += invoice.charges.filter { $0.on <= d }.reduce(0) { $0 + $1.amount }
        balance -= invoice.writeOffs.filter { $0.on <= d }.reduce(0) { $0 + $1.amount }
        for payment in payments where !(payment.reversed.map { $0 <= d } ?? false) {
            for application in payment.applications where application.invoice == index && application.on <= d {
                balance -= application.amount
            }
        }
        return balance
    }

    /// The model's reading of "a dispute holds its amount, never more than the balance".
    func disputed(_ index: Int, at d: CalendarDate) -> Int {
        let held = invoices[index].disputes.filter { $0.opened <= d && ($0.resolved.map { $0 > d } ?? true) }
            .reduce(0) { $0 + $1.amount }
        return min(max(balance(index, at: d), 0), held)
    }

    func ar(_ currency: String, at d: CalendarDate, currentOnly: Bool = false) -> Int {
        invoices.indices.filter {
            invoices[$0].currency == currency && live(invoices[$0], at: d) && (!currentOnly || d.days(since: invoices[$0].due) <= 0)
        }.reduce(0) { $0 + balance($1, at: d) }
    }

    func sales(_ currency: String, from: CalendarDate, to: CalendarDate, asOf d: CalendarDate) -> Int {
        invoices.filter { $0.currency == currency && $0.issued >= from && $0.issued <= to && live($0, at: d) }
            .reduce(0) { $0 + $1.amount }
    }

    func ageingCurrencies(at d: CalendarDate) -> Set<String> {
        Set(invoices.filter { live($0, at: d) }.map(\.currency))
            .union(payments.filter { $0.received <= d }.map(\.currency)).union(["USD"])
    }

    func ageing(at d: CalendarDate, tenant: String) -> AgeingReport {
        let ranges = Ageing.buckets(limits: [30, 60, 90])
        let rows = ageingCurrencies(at: d).sorted().map { currency in
            var buckets = [0, 0, 0, 0]
            var current = 0
            var disputedAmount = 0
            for index in invoices.indices where invoices[index].currency == currency && live(invoices[index], at: d) {
                let amount = balance(index, at: d)
                let late = d.days(since: invoices[index].due)
                switch late {
                case ...0: current += amount
                case 1...30: buckets[0] += amount
                case 31...60: buckets[1] += amount
                case 61...90: buckets[2] += amount
                default: buckets[3] += amount
                }
                disputedAmount += disputed(index, at: d)
            }
            let credit = payments.filter { $0.currency == currency && $0.received <= d }.reduce(0) { sum, payment in
                if let reversed = payment.reversed, reversed <= d { return sum }
                return sum + payment.amount - payment.applications.filter { $0.on <= d }.reduce(0) { $0 + $1.amount }
            }
            return AgeingReport.Currency(
                currency: currency, totalMinor: current + buckets.reduce(0, +), currentMinor: current,
                buckets: zip(ranges, buckets).map {
                    AgeingBucket(label: $0.label, fromDays: $0.fromDays, toDays: $0.toDays, amountMinor: $1)
                },
                disputedMinor: disputedAmount, unappliedCreditMinor: credit)
        }
        return AgeingReport(tenant: tenant, asOf: d, currencies: rows)
    }

    /// numerator / denominator rounded half away from zero to 2 places; nil for 0.
    static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        hundredths(numerator, denominator).map { Double($0) / 100 }
    }

    static func hundredths(_ numerator: Int, _ denominator: Int) -> Int? {
        guard denominator != 0 else { return nil }
        let negative = (numerator < 0) != (denominator < 0)
        let a = abs(numerator) * 100
        let b = abs(denominator)
        let hundredths = (2 * a + b) / (2 * b)
        return negative ? -hundredths : hundredths
    }

    func countback(_ currency: String, at d: CalendarDate) -> Double? {
        var remaining = ar(currency, at: d)
        var days = 0
        var monthStart = CalendarDate(year: d.year, month: d.month, day: 1)!
        var monthEnd = d
        for _ in 0..<24 {
            let length = monthEnd.days(since: monthStart) + 1
            let monthSales = sales(currency, from: monthStart, to: monthEnd, asOf: d)
            if remaining > 0 && remaining >= monthSales {
                remaining -= monthSales
                days += length
            } else {
                if remaining == 0 { return Double(days) }
                return Self.hundredths(remaining * length, monthSales).map { Double(days * 100 + $0) / 100 }
            }
            monthEnd = monthStart.adding(days: -1)
            monthStart = CalendarDate(year: monthEnd.year, month: monthEnd.month, day: 1)!
        }
        return Double(days)
    }

    func kpis(at d: CalendarDate, p: Int, c: Int, grace: Int) -> [String: KPIReport.Currency] {
        let periodStart = d.adding(days: -p + 1)
        let due = promises.filter {
            $0.madeOn <= d && $0.date.adding(days: grace) >= periodStart && $0.date.adding(days: grace) <= d
        }
        let scored = scores.filter { $0.on >= periodStart && $0.on <= d }
        let csatPercent = Self.ratio(100 * scored.filter { $0.score >= 4 }.count, scored.count)
        let csatAverage = Self.ratio(scored.reduce(0) { $0 + $1.score }, scored.count)
        let currencies = ageingCurrencies(at: d)
            .union(invoices.filter { live($0, at: d.adding(days: -c)) }.map(\.currency))
            .union(due.map(\.currency))
        var rows: [String: KPIReport.Currency] = [:]
        for currency in currencies {
            let arNow = ar(currency, at: d)
            let current = ar(currency, at: d, currentOnly: true)
            let salesP = sales(currency, from: periodStart, to: d, asOf: d)
            let salesC = sales(currency, from: d.adding(days: -c + 1), to: d, asOf: d)
            let opening = ar(currency, at: d.adding(days: -c))
            let writtenOff = invoices.filter { $0.currency == currency && live($0, at: d) }
                .flatMap(\.writeOffs).filter { $0.on >= periodStart && $0.on <= d }.reduce(0) { $0 + $1.amount }
            let promisesDue = due.filter { $0.currency == currency }
            let kept = promisesDue.filter { promise in
                let deadline = promise.date.adding(days: grace)
                let paid = payments.filter {
                    $0.client == promise.client && $0.currency == currency && $0.received >= promise.madeOn
                        && $0.received <= deadline && !($0.reversed.map { $0 <= d } ?? false)
                }.reduce(0) { $0 + $1.amount }
                return paid >= promise.amount
            }
            rows[currency] = KPIReport.Currency(
                currency: currency, arMinor: arNow, currentMinor: current, creditSalesMinor: salesP,
                dso: Self.ratio(arNow * p, salesP), countbackDSO: countback(currency, at: d),
                bestPossibleDSO: Self.ratio(current * p, salesP),
                averageDaysDelinquent: Self.ratio((arNow - current) * p, salesP),
                cei: Self.ratio(100 * (opening + salesC - arNow), opening + salesC - current),
                percentCurrent: Self.ratio(100 * current, arNow), badDebtRatio: Self.ratio(100 * writtenOff, salesP),
                promiseKeptRate: Self.ratio(100 * kept.count, promisesDue.count),
                csatPercent: csatPercent, csatAverage: csatAverage, csatCount: scored.count,
                ceiOpeningARMinor: opening, ceiCreditSalesMinor: salesC, writeOffsMinor: writtenOff,
                promisesDue: promisesDue.count, promisesKept: kept.count)
        }
        return rows
    }
}

extension KPITests {
    /// Ageing and KPIs of random books (3 seeds), under two sets of tenant settings and at six
    /// dates, equal the naive model's figures exactly: the live reports, and the worker's
    /// stored day for the same date (one computation, checked for every seed and date).
    @Test(arguments: [UInt64(1), 2, 3])
    func liveAndStoredReportsMatchANaiveModelOfARandomBook(seed: UInt64) async throws {
        var book = try await ReportingBook.make()
        let model = NaiveBook.random(seed: seed)
        try await model.write(into: book)
        var kept = 0
        var disputed = 0
        var credit = 0
        var fractionalCountback = false
        for (p, c, grace) in [(90, 30, 0), (45, 7, 2)] {
            try await book.configure(dsoPeriodDays: p, ceiPeriodDays: c, promiseGraceDays: grace)
            for text in ["2012-11-15", "2013-02-28", "2013-04-30", "2013-06-30", "2013-08-31", "2014-03-01"] {
                let d = ReportingBook.date(text)
                let ageing = try await book.ageing(text)
                #expect(ageing == model.ageing(at: d, tenant: book.tenant.slug), "ageing \(text)")
                disputed += ageing.currencies.reduce(0) { $0 + $1.disputedMinor }
                credit += ageing.currencies.reduce(0) { $0 + $1.unappliedCreditMinor }
                let report = try await book.kpis(text)
                let expected = model.kpis(at: d, p: p, c: c, grace: grace)
                #expect(report.currencies.map(\.currency) == expected.keys.sorted(), "currencies \(text)")
                for row in report.currencies {
                    #expect(row == expected[row.currency], "KPIs \(row.currency) \(text) P=\(p) C=\(c) grace=\(grace)")
                    kept += row.promisesKept
                    if let countback = row.countbackDSO, countback != countback.rounded() { fractionalCountback = true }
                }
                // The worker's day for the same date, stored and read back. (The book has no
                // late-fee terms, so the day's writes leave its balances as they are.)
                _ = try await TenantDay(database: book.service).run(tenant: book.tenant, asOf: d, runID: nil, onlyIfNotDone: false)
                let storedAgeing = try await StoredReports.ageing(database: book.service, tenant: book.tenant, asOf: d)
                #expect(storedAgeing == model.ageing(at: d, tenant: book.tenant.slug), "stored ageing \(text)")
                let stored = try await StoredReports.kpis(database: book.service, tenant: book.tenant, asOf: d)
                #expect(stored.currencies.map(\.currency) == expected.keys.sorted(), "stored currencies \(text)")
                for row in stored.currencies {
                    #expect(row == expected[row.currency], "stored KPIs \(row.currency) \(text) P=\(p) C=\(c) grace=\(grace)")
                }
            }
        }
        // The books do exercise the rules.
        #expect(kept > 0)
        #expect(disputed > 0)
        #expect(credit > 0)
        #expect(fractionalCountback)
    }
}
