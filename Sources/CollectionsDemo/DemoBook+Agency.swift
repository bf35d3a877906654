public import CollectionsService
import Foundation
import Postgres

extension DemoBook {
    /// What `makeAgency` made.
    public struct AgencyMade: Sendable {
        public var agency: String
        public var placements = 0
        public var remittances = 0
        public var recalled = 0
    }

    /// One collections agency (20 % commission) through `Agencies` (the path the
    /// CLI and the API take): up to `count` of the clients furthest behind 60 days
    /// before the book's last day placed whole with it then (a client a placement
    /// refuses, on a plan or disputed, is skipped); every other placement remits 40 %
    /// of what was placed 30 days later, through the posting path; the last one
    /// is recalled 10 days before the last day.
    @discardableResult
    public static func makeAgency(
        _ shape: Shape, tenant: Tenant, database: CollectionsDatabase, count: Int = 6
    ) async throws -> AgencyMade {
        let placedOn = shape.lastDay.adding(days: -60)
        let agencies = Agencies(database: database, tenant: tenant.id)
        let agency = try await agencies.create(name: "Summit Recovery Partners", commissionBP: 2_000, actor: "demo")
        let candidates = try await database.withTenant(tenant.id, readOnly: true) { tx in
            try await tx.query("""
                SELECT c.ref FROM clients c
                JOIN report_invoice_balances(\(tenant.id), \(placedOn)) b ON b.client_id = c.id
                WHERE c.tenant_id = \(tenant.id) AND c.status = 'active'
                GROUP BY c.ref
                HAVING max(b.days_past_due) FILTER (WHERE b.balance_minor > 0) > 120
                ORDER BY max(b.days_past_due) FILTER (WHERE b.balance_minor > 0) DESC, c.ref
                LIMIT \(Int32(count * 3))
                """).map { try $0.decode(String.self, at: 0) }
        }
        var made = AgencyMade(agency: agency.name)
        var last: Placement?
        for ref in candidates where made.placements < count {
            guard let placement = try? await agencies.place(clientRef: ref, agency: agency.name, on: placedOn, actor: "demo")
            else { continue }
            made.placements += 1
            last = placement
            guard made.placements % 2 == 1, let placed = placement.invoices.first?.placed else { continue }
            let total = placement.invoices.filter { $0.placed.currency == placed.currency }.reduce(Int64(0)) { $0 + $1.placed.amountMinor }
            let reference = "AGENCY-\(placement.id.uuidString.prefix(8).lowercased())"
            _ = try await agencies.remit(
                placement: placement.id, reference: reference, amount: Money(amountMinor: total * 2 / 5, currency: placed.currency),
                receivedOn: placedOn.adding(days: 30), actor: "demo")
            made.remittances += 1
        }
        if let last, made.placements > 1 {
            _ = try await agencies.recall(last.id, on: shape.lastDay.adding(days: -10), actor: "demo")
            made.recalled += 1
        }
        return made
    }
}
