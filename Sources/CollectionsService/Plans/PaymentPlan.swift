public import Foundation
public import Postgres

/// A payment plan and its instalments as of a day (`plan show|list --format json`,
/// DESIGN.md "JSON reports"): what `plan_instalments_at` says of it then.
public struct PaymentPlan: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case current, kept, defaulted, cancelled
    }

    public struct Instalment: Sendable, Encodable, Equatable {
        public enum Status: String, Sendable, Codable, CaseIterable {
            case open, paid, missed
        }

        public var seq: Int
        public var dueOn: CalendarDate
        public var amountMinor: Int
        /// What the plan's payments give this instalment, oldest instalment first.
        public var paidMinor: Int
        public var status: Status
        /// The day it was found unpaid (its date plus grace, plus one) or short again
        /// (a reversed payment); nil unless missed.
        public var missedOn: CalendarDate?
    }

    public var id: UUID
    public var clientRef: String
    public var status: Status
    public var currency: String
    public var totalMinor: Int
    public var instalments: [Instalment]
    /// Added fields.
    public var asOf: CalendarDate
    public var frequency: PlanFrequency
    public var startOn: CalendarDate
    public var madeOn: CalendarDate
    public var invoices: [String]
    public var defaultedOn: CalendarDate?
    public var keptOn: CalendarDate?
    public var cancelledOn: CalendarDate?
    public var cancelReason: String?

    /// The columns `PaymentPlans` selects: the plan (`p`), its client (`c`) and
    /// one instalment per row (`a`, from `plan_instalments_at`).
    static let columns = """
        p.id, c.ref AS client_ref, p.currency, p.total_minor, p.frequency, p.start_on, p.made_on,
        p.cancelled_on, p.cancel_reason, a.seq, a.due_on, a.amount_minor, a.paid_minor, a.status, a.missed_on,
        a.plan_status, a.defaulted_on, a.kept_on,
        (SELECT array_agg(i.number ORDER BY i.number) FROM plan_invoices pi
         JOIN invoices i ON i.tenant_id = p.tenant_id AND i.id = pi.invoice_id
         WHERE pi.tenant_id = p.tenant_id AND pi.plan_id = p.id) AS invoice_numbers
        """

    /// The plans in `rows` (one row per instalment, a plan's rows together, in
    /// instalment order), in the rows' order.
    static func plans(from rows: PostgresRows, asOf: CalendarDate) throws -> [PaymentPlan] {
        var plans: [PaymentPlan] = []
        for row in rows {
            let id: UUID = try row["id"]
            let instalment = Instalment(
                seq: try row["seq"], dueOn: try row["due_on"], amountMinor: try row["amount_minor"],
                paidMinor: try row["paid_minor"],
                status: try row.decodeKnown(Instalment.Status.self, column: "status", "instalment status"),
                missedOn: try row["missed_on"])
            if plans.last?.id == id {
                plans[plans.count - 1].instalments.append(instalment)
                continue
            }
            plans.append(PaymentPlan(
                id: id, clientRef: try row["client_ref"],
                status: try row.decodeKnown(Status.self, column: "plan_status", "plan status"),
                currency: try row["currency"], totalMinor: try row["total_minor"], instalments: [instalment],
                asOf: asOf, frequency: try row.decodeKnown(PlanFrequency.self, column: "frequency", "plan frequency"),
                startOn: try row["start_on"], madeOn: try row["made_on"],
                invoices: try row["invoice_numbers", as: [String]?.self] ?? [],
                defaultedOn: try row["defaulted_on"], keptOn: try row["kept_on"],
                cancelledOn: try row["cancelled_on"], cancelReason: try row["cancel_reason"]))
        }
        return plans
    }
}
