public import CollectionsService
import Foundation
import Postgres

extension DemoBook {
    /// What `makeDisputes` made.
    public struct DisputesMade: Sendable {
        public var opened = 0
        public var creditNotes = 0
        public var writeOffs = 0
        public var rejected = 0
    }

    static let disputeReasons: [(DisputeReason, String)] = [
        (.pricing, "billed at list price, not the agreed rate"),
        (.goodsOrService, "part of the order arrived damaged"),
        (.alreadyPaid, "says part was paid in cash at the branch"),
        (.notMine, "two charges belong to another borrower"),
        (.fraud, "denies taking the second advance"),
        (.other, "disputes the fees added"),
    ]

    /// Partial disputes through `Invoices` (the path the CLI and the API take): up
    /// to `count` open, overdue invoices not on a plan, each disputed for a quarter of
    /// what it owes 40 days before the book's last day; of every five, one upheld as
    /// a credit note and one as a write-off 20 days later, one rejected, two left open.
    @discardableResult
    public static func makeDisputes(
        _ shape: Shape, tenant: Tenant, database: CollectionsDatabase, count: Int = 15
    ) async throws -> DisputesMade {
        let openedOn = shape.lastDay.adding(days: -40)
        let candidates = try await database.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("""
                SELECT i.number, b.balance_minor FROM report_invoice_balances(\(tenant.id), \(openedOn)) b
                JOIN invoices i ON i.tenant_id = \(tenant.id) AND i.id = b.invoice_id
                WHERE b.balance_minor >= 400 AND b.days_past_due > 0 AND NOT b.disputed
                  AND NOT EXISTS (SELECT 1 FROM plan_invoices pi WHERE pi.tenant_id = \(tenant.id) AND pi.invoice_id = i.id)
                ORDER BY hashtext(i.number || \(Int32(shape.seed)))
                LIMIT \(Int32(count))
                """).decode((String, Int64).self)
        }
        let invoices = Invoices(database: database, tenant: tenant.id)
        var made = DisputesMade()
        for (index, (number, owed)) in candidates.enumerated() {
            let (code, reason) = disputeReasons[index % disputeReasons.count]
            let currency = try await invoices.get(number).invoice.currency
            _ = try await invoices.dispute(number, on: openedOn, reasonCode: code,
                                           amount: Money(amountMinor: owed / 4, currency: currency), reason: reason, actor: "demo")
            made.opened += 1
            let resolvedOn = openedOn.adding(days: 20)
            switch index % 5 {
            case 0:
                _ = try await invoices.resolveDispute(number, on: resolvedOn, outcome: .creditNote,
                                                      resolution: "credited the disputed part", actor: "demo")
                made.creditNotes += 1
            case 1:
                _ = try await invoices.resolveDispute(number, on: resolvedOn, outcome: .writeOff,
                                                      resolution: "not worth contesting", actor: "demo")
                made.writeOffs += 1
            case 2:
                _ = try await invoices.resolveDispute(number, on: resolvedOn, outcome: .rejected,
                                                      resolution: "records show it is owed", actor: "demo")
                made.rejected += 1
            default:
                break
            }
        }
        return made
    }
}
