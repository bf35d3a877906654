import Foundation
public import Postgres

/// `report kpis --format json` (DESIGN.md "JSON reports" and "KPI definitions").
///
/// Ratios are rounded to 2 decimal places by the database and are nil (JSON
/// `null`) when their denominator is 0; money is exact integer minor units.
public struct KPIReport: Sendable, Equatable, Codable {
    /// The tenant's slug.
    public var tenant: String
    public var asOf: CalendarDate
    public var dsoPeriodDays: Int
    public var ceiPeriodDays: Int
    /// Added field: the grace days of promises to pay.
    public var promiseGraceDays: Int
    /// Added field: satisfaction is not per currency; it is repeated in every
    /// currency row as DESIGN.md's format asks, and given here once, so that it
    /// is reported even when the tenant has no currency row at all.
    public var csat: CSAT
    /// One entry per currency, ordered by currency code; never summed across.
    public var currencies: [Currency]
    /// Added field: each agency's recovery per currency as of the day
    /// (`report_agency_recovery`: collected x 100 / placed, null when nothing was
    /// placed), computed from the dated facts when the report is read, also for a
    /// stored day.
    public var agencies: [AgencyRecovery]
    /// Added field: each collector's KPIs per currency as of the day
    /// (`report_collector_kpis`: promises due in the DSO period they took and
    /// kept, the promise-kept rate, what was collected within 7 days after their
    /// contacts), computed from the dated facts when read, also for a stored day.
    public var collectors: [CollectorFigures]

    public init(
        tenant: String, asOf: CalendarDate, dsoPeriodDays: Int, ceiPeriodDays: Int, promiseGraceDays: Int,
        csat: CSAT, currencies: [Currency], agencies: [AgencyRecovery] = [],
        collectors: [CollectorFigures] = []
    ) {
        self.tenant = tenant
        self.asOf = asOf
        self.dsoPeriodDays = dsoPeriodDays
        self.ceiPeriodDays = ceiPeriodDays
        self.promiseGraceDays = promiseGraceDays
        self.csat = csat
        self.currencies = currencies
        self.agencies = agencies
        self.collectors = collectors
    }

    public struct Currency: Sendable, Equatable, Codable {
        public var currency: String
        /// AR(D).
        public var arMinor: Int
        /// Current AR(D): balances not yet due.
        public var currentMinor: Int
        /// S(P): credit sales of the DSO period.
        public var creditSalesMinor: Int
        public var dso: Double?
        public var countbackDSO: Double?
        public var bestPossibleDSO: Double?
        public var averageDaysDelinquent: Double?
        public var cei: Double?
        public var percentCurrent: Double?
        public var badDebtRatio: Double?
        /// Promises kept x 100 / promises due in the DSO period (a percentage, like
        /// the other ratios).
        public var promiseKeptRate: Double?
        public var csatPercent: Double?
        public var csatAverage: Double?
        public var csatCount: Int
        /// Added fields, the terms of the ratios above: AR(D-C), S(C), write-offs
        /// dated in the DSO period, promises due in it and how many were kept.
        public var ceiOpeningARMinor: Int
        public var ceiCreditSalesMinor: Int
        public var writeOffsMinor: Int
        public var promisesDue: Int
        public var promisesKept: Int
        /// Plans kept x 100 / plans that ended (kept or defaulted) in the DSO period
        /// (`report_plan_kept`), and its terms. A defaulted plan also counts as a
        /// broken promise in `promiseKeptRate`.
        public var planKeptRate: Double?
        public var plansEnded: Int
        public var plansKept: Int

        public init(
            currency: String, arMinor: Int, currentMinor: Int, creditSalesMinor: Int, dso: Double?,
            countbackDSO: Double?, bestPossibleDSO: Double?, averageDaysDelinquent: Double?, cei: Double?,
            percentCurrent: Double?, badDebtRatio: Double?, promiseKeptRate: Double?, csatPercent: Double?,
            csatAverage: Double?, csatCount: Int, ceiOpeningARMinor: Int = 0, ceiCreditSalesMinor: Int = 0,
            writeOffsMinor: Int = 0, promisesDue: Int = 0, promisesKept: Int = 0, planKeptRate: Double? = nil,
            plansEnded: Int = 0, plansKept: Int = 0
        ) {
            self.currency = currency
            self.arMinor = arMinor
            self.currentMinor = currentMinor
            self.creditSalesMinor = creditSalesMinor
            self.dso = dso
            self.countbackDSO = countbackDSO
            self.bestPossibleDSO = bestPossibleDSO
            self.averageDaysDelinquent = averageDaysDelinquent
            self.cei = cei
            self.percentCurrent = percentCurrent
            self.badDebtRatio = badDebtRatio
            self.promiseKeptRate = promiseKeptRate
            self.csatPercent = csatPercent
            self.csatAverage = csatAverage
            self.csatCount = csatCount
            self.ceiOpeningARMinor = ceiOpeningARMinor
            self.ceiCreditSalesMinor = ceiCreditSalesMinor
            self.writeOffsMinor = writeOffsMinor
            self.promisesDue = promisesDue
            self.promisesKept = promisesKept
            self.planKeptRate = planKeptRate
            self.plansEnded = plansEnded
            self.plansKept = plansKept
        }

        enum CodingKeys: String, CodingKey {
            case currency
            case arMinor = "ar_minor"
            case currentMinor = "current_minor"
            case creditSalesMinor = "credit_sales_minor"
            case dso
            case countbackDSO = "countback_dso"
            case bestPossibleDSO = "best_possible_dso"
            case averageDaysDelinquent = "average_days_delinquent"
            case cei
            case percentCurrent = "percent_current"
            case badDebtRatio = "bad_debt_ratio"
            case promiseKeptRate = "promise_kept_rate"
            case csatPercent = "csat_percent"
            case csatAverage = "csat_average"
            case csatCount = "csat_count"
            case ceiOpeningARMinor = "cei_opening_ar_minor"
            case ceiCreditSalesMinor = "cei_credit_sales_minor"
            case writeOffsMinor = "write_offs_minor"
            case promisesDue = "promises_due"
            case promisesKept = "promises_kept"
            case planKeptRate = "plan_kept_rate"
            case plansEnded = "plans_ended"
            case plansKept = "plans_kept"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(currency, forKey: .currency)
            try container.encode(arMinor, forKey: .arMinor)
            try container.encode(currentMinor, forKey: .currentMinor)
            try container.encode(creditSalesMinor, forKey: .creditSalesMinor)
            try container.encodeOrNull(dso, forKey: .dso)
            try container.encodeOrNull(countbackDSO, forKey: .countbackDSO)
            try container.encodeOrNull(bestPossibleDSO, forKey: .bestPossibleDSO)
            try container.encodeOrNull(averageDaysDelinquent, forKey: .averageDaysDelinquent)
            try container.encodeOrNull(cei, forKey: .cei)
            try container.encodeOrNull(percentCurrent, forKey: .percentCurrent)
            try container.encodeOrNull(badDebtRatio, forKey: .badDebtRatio)
            try container.encodeOrNull(promiseKeptRate, forKey: .promiseKeptRate)
            try container.encodeOrNull(csatPercent, forKey: .csatPercent)
            try container.encodeOrNull(csatAverage, forKey: .csatAverage)
            try container.encode(csatCount, forKey: .csatCount)
            try container.encode(ceiOpeningARMinor, forKey: .ceiOpeningARMinor)
            try container.encode(ceiCreditSalesMinor, forKey: .ceiCreditSalesMinor)
            try container.encode(writeOffsMinor, forKey: .writeOffsMinor)
            try container.encode(promisesDue, forKey: .promisesDue)
            try container.encode(promisesKept, forKey: .promisesKept)
            try container.encodeOrNull(planKeptRate, forKey: .planKeptRate)
            try container.encode(plansEnded, forKey: .plansEnded)
            try container.encode(plansKept, forKey: .plansKept)
        }
    }

    enum CodingKeys: String, CodingKey {
        case tenant
        case asOf = "as_of"
        case dsoPeriodDays = "dso_period_days"
        case ceiPeriodDays = "cei_period_days"
        case promiseGraceDays = "promise_grace_days"
        case csat
        case currencies
        case agencies
        case collectors
    }
}
