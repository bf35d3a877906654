public import CollectionsService
import Foundation
import Postgres

extension DemoBook {
    /// What `makePlans` made.
    public struct PlansMade: Sendable {
        public var plans: Int
        public var keptUp: Int
    }

    /// Puts some behind-hand borrowers on payment plans through `PaymentPlans` (the
    /// path the CLI and the API take): up to `count` clients with open invoices 105
    /// days before the book's last day, each on 3 monthly instalments from 90 days
    /// before it (every third from 45 days before, so its last is still to come).
    /// Every other one keeps up, paying each instalment on its date through the
    /// posting path; the others pay what the book already gave them, so the worker
    /// finds some kept, some still current and some defaulted.
    @discardableResult
    public static func makePlans(_ shape: Shape, tenant: Tenant, database: CollectionsDatabase, count: Int = 24) async throws -> PlansMade {
        let madeOn = shape.lastDay.adding(days: -105)
        let candidates = try await database.withTenant(tenant.id, readOnly: true) { tx in
            // The book's balances once (a correlated call would compute them for every client).
            try await tx.query("""
                WITH owing AS MATERIALIZED (
                    SELECT DISTINCT b.client_id FROM report_invoice_balances(\(tenant.id), \(madeOn)) b
                    WHERE b.balance_minor > 0 AND NOT b.disputed
                )
                SELECT c.ref FROM clients c
                JOIN owing o ON o.client_id = c.id
                WHERE c.tenant_id = \(tenant.id) AND c.status = 'active' AND NOT c.do_not_contact
                ORDER BY hashtext(c.ref || \(Int32(shape.seed)))
                LIMIT \(Int32(count * 2))
                """).map { try $0.decode(String.self, at: 0) }
        }
        let plans = PaymentPlans(database: database, tenant: tenant)
        let payments = Payments(database: database, tenant: tenant.id)
        var made = PlansMade(plans: 0, keptUp: 0)
        for ref in candidates where made.plans < count {
            // A client whose open invoices are in two currencies needs two plans: skip it.
            guard let plan = try? await plans.create(
                .init(clientRef: ref, instalments: 3, every: .month,
                      startOn: shape.lastDay.adding(days: made.plans % 3 == 2 ? -45 : -90), madeOn: madeOn),
                actor: "demo") else { continue }
            made.plans += 1
            guard made.plans % 2 == 1 else { continue }
            made.keptUp += 1
            for instalment in plan.instalments where instalment.dueOn <= shape.lastDay {
                let reference = "PLAN-\(plan.id.uuidString.prefix(8).lowercased())-\(instalment.seq)"
                _ = try await payments.post(
                    PaymentRequest(clientRef: ref, reference: reference,
                                   amount: Money(amountMinor: Int64(instalment.amountMinor), currency: plan.currency),
                                   receivedOn: instalment.dueOn, method: "plan instalment"),
                    idempotencyKey: reference, actor: "demo")
            }
        }
        return made
    }
}
