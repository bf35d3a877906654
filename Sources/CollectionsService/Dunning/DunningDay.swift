import Foundation
public import Postgres

/// A day of dunning as the dashboard shows it: the gate's plan and the outbox's
/// deliveries, read in one transaction and at most two statements (the tenant's
/// today when no day is asked for, then both reports' queries together), by the
/// queries and readers of `DunningPlans.plan` and `DeliveryReport.make`.
public struct DunningDay: Sendable {
    public var plan: DunningPlan
    public var deliveries: DeliveryReport

    public static func read(database: CollectionsDatabase, tenant: Tenant, on date: CalendarDate?) async throws -> Self {
        let id = tenant.id
        return try await database.ledger(id, readOnly: true) { tx in
            let date = if let date { date } else { try await Ledger.today(id, in: tx) }
            // Only the plan's branch the head decides is run: PostgreSQL evaluates
            // an uncorrelated subquery when its value is first needed.
            let row = try await tx.query("""
                SELECT h.decided, h.version,
                       CASE WHEN h.decided THEN \(SQL.nestedRows(DunningPlans.rows(tenant, date, decided: true)))
                            ELSE \(SQL.nestedRows(DunningPlans.rows(tenant, date, decided: false))) END AS plan,
                       \(SQL.nestedRows(DeliveryReport.messagesSQL(id, date))) AS messages,
                       \(SQL.nestedRows(DeliveryReport.suppressionsSQL(id, date))) AS suppressed
                FROM (\(DunningPlans.head(id, date))) h
                """)[0]
            return DunningDay(
                plan: try DunningPlans.plan(tenant: tenant, date: date, head: row, rows: try row.nested("plan")),
                deliveries: try DeliveryReport.make(
                    tenant: tenant, on: date, messages: try row.nested("messages"),
                    suppressed: try row.nested("suppressed")))
        }
    }
}
