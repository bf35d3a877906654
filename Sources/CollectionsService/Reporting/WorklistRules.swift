import Foundation
import Postgres

/// How the worklist scores a client: points for what makes a call urgent, minus
/// points for what makes chasing wrong or premature. Every rule is one reason on
/// the worklist, so a collector can see why a client is where it is.
public struct WorklistRules: Sendable, Codable, Equatable {
    /// Undisputed overdue balance: this many points per tenfold of the amount in
    /// major units (10 x log10: 100.00 is 20, 12,345.00 is 41), rounded, at
    /// least 0. With several currencies, the largest score of them (amounts are
    /// never added across currencies).
    public var overduePointsPerTenfold: Int
    public var overdueMaxPoints: Int
    /// Oldest undisputed overdue invoice: a point per this many days past due.
    public var daysPastDuePerPoint: Int
    public var daysPastDueMaxPoints: Int
    /// Promises to pay broken (by the rule of `ContactNotes.promises`) in the
    /// last `brokenPromiseWindowDays` days up to the as-of date.
    public var pointsPerBrokenPromise: Int
    public var brokenPromiseMaxPoints: Int
    public var brokenPromiseWindowDays: Int
    /// The follow-up date of the client's latest note is on or before the as-of date.
    public var followUpPoints: Int
    /// Taken off per invoice in dispute with a balance: disputed balance is not chased.
    public var pointsPerDisputedInvoice: Int
    public var disputeMaxPoints: Int
    /// Taken off while the client has an open promise to pay (not yet past its
    /// date plus grace, not yet kept): give the promise its chance.
    public var openPromisePoints: Int

    public init(
        overduePointsPerTenfold: Int = 10, overdueMaxPoints: Int = 50, daysPastDuePerPoint: Int = 3,
        daysPastDueMaxPoints: Int = 30, pointsPerBrokenPromise: Int = 15, brokenPromiseMaxPoints: Int = 30,
        brokenPromiseWindowDays: Int = 90, followUpPoints: Int = 20, pointsPerDisputedInvoice: Int = 10,
        disputeMaxPoints: Int = 30, openPromisePoints: Int = 50
    ) {
        self.overduePointsPerTenfold = overduePointsPerTenfold
        self.overdueMaxPoints = overdueMaxPoints
        self.daysPastDuePerPoint = daysPastDuePerPoint
        self.daysPastDueMaxPoints = daysPastDueMaxPoints
        self.pointsPerBrokenPromise = pointsPerBrokenPromise
        self.brokenPromiseMaxPoints = brokenPromiseMaxPoints
        self.brokenPromiseWindowDays = brokenPromiseWindowDays
        self.followUpPoints = followUpPoints
        self.pointsPerDisputedInvoice = pointsPerDisputedInvoice
        self.disputeMaxPoints = disputeMaxPoints
        self.openPromisePoints = openPromisePoints
    }

    public static let standard = WorklistRules()

    /// The rules in a few lines, for the top of a printed worklist.
    public var summary: [String] {
        [
            "overdue (undisputed): \(overduePointsPerTenfold) x log10(amount in major units), 0 to \(overdueMaxPoints), the highest of the client's currencies",
            "oldest undisputed invoice: 1 point per \(daysPastDuePerPoint) days past due, at most \(daysPastDueMaxPoints)",
            "promises broken in the last \(brokenPromiseWindowDays) days: +\(pointsPerBrokenPromise) each, at most \(brokenPromiseMaxPoints)",
            "follow-up date of the latest note due: +\(followUpPoints)",
            "invoices in dispute (not chased): -\(pointsPerDisputedInvoice) each, at most -\(disputeMaxPoints)",
            "open promise to pay not yet due: -\(openPromisePoints)",
            "listed: clients with an undisputed overdue balance or a follow-up due; never do-not-contact, closed or agency clients",
        ]
    }

    func validate() throws {
        let values = [
            overduePointsPerTenfold, overdueMaxPoints, daysPastDueMaxPoints, pointsPerBrokenPromise,
            brokenPromiseMaxPoints, followUpPoints, pointsPerDisputedInvoice, disputeMaxPoints, openPromisePoints,
        ]
        guard values.allSatisfy({ (0...1000).contains($0) }) else {
            throw ServiceError.invalid("worklist points must be 0-1000")
        }
        guard (1...3650).contains(daysPastDuePerPoint) else {
            throw ServiceError.invalid("days past due per point must be 1-3650, not \(daysPastDuePerPoint)")
        }
        guard (1...3650).contains(brokenPromiseWindowDays) else {
            throw ServiceError.invalid("the broken-promise window must be 1-3650 days, not \(brokenPromiseWindowDays)")
        }
    }
}
