import CollectionsService
import Foundation
import Postgres

/// The worklist page: the tenant's ranked clients (the statement and readers of
/// `Worklist`, which `report worklist` and `/v1/reports/worklist` use) with the
/// score's reasons, the overdue amount, when the contact rules next allow a call,
/// and beside them each client's last contact, open promises and current plans,
/// all read by `WorklistDay.read` in one transaction. An agency's session lists
/// the accounts placed with it instead (the lender's worklist leaves placed
/// accounts out); the database shows it no others.
struct WorklistView: Sendable {
    struct Reason: Sendable {
        var reason: String
        var points: Int
    }

    struct Entry: Sendable {
        var rank: Int
        var ref: String
        var name: String
        var href: String?
        var collector: String?
        var score: Int
        var reasons: [Reason]
        var overdue: String
        var lastContact: String
        var promises: String
        var plans: String
        var nextContact: String
    }

    var chrome: DashboardChrome
    var heading: String
    var agency: Bool
    var asOf: String
    var excludedClosed: Int
    var excludedAgency: Int
    var excludedDoNotContact: Int
    var entries: [Entry]
    var hasEntries: Bool

    static func make(
        database: CollectionsDatabase, tenant: Tenant, asOf requested: CalendarDate?, chrome: DashboardChrome, agency: Bool
    ) async throws -> WorklistView {
        if agency { return try await placed(database: database, tenant: tenant, asOf: requested, chrome: chrome) }
        // One transaction, at most two statements (WorklistDay.read).
        let day = try await WorklistDay.read(database: database, tenant: tenant, asOf: requested, limit: 50)
        let (report, contacts) = (day.report, day.contacts)
        // The open promises and current plans, by client.
        let promises = Dictionary(grouping: day.promises.filter { $0.state == .open }, by: \.clientRef)
        let plans = Dictionary(grouping: day.plans.filter { $0.status == .current }, by: \.clientRef)
        let byRef = Dictionary(contacts.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let entries = report.entries.map { entry in
            let contact = byRef[entry.clientRef]
            return Entry(
                rank: entry.rank, ref: entry.clientRef, name: entry.clientName,
                href: contact.map { "/dashboard/clients/\($0.id.uuidString.lowercased())" }, collector: entry.collector,
                score: entry.score, reasons: entry.reasons.map { Reason(reason: $0.reason, points: $0.points) },
                overdue: entry.overdue.map(\.money.formatted).joined(separator: " + "),
                lastContact: Self.when(contact?.lastContactAt, zone: tenant.timeZone),
                promises: Self.promises(promises[entry.clientRef] ?? []),
                plans: Self.plans(plans[entry.clientRef] ?? []),
                nextContact: entry.nextContact?.text ?? "")
        }
        return WorklistView(
            chrome: chrome, heading: "Worklist", agency: false, asOf: report.asOf.description,
            excludedClosed: report.excluded.closed, excludedAgency: report.excluded.agency,
            excludedDoNotContact: report.excluded.doNotContact, entries: entries, hasEntries: !entries.isEmpty)
    }

    /// An agency's accounts: the clients the database lets it see (its placed ones).
    static func placed(
        database: CollectionsDatabase, tenant: Tenant, asOf requested: CalendarDate?, chrome: DashboardChrome
    ) async throws -> WorklistView {
        let (clients, contacts) = try await WorklistDay.placed(database: database, tenant: tenant, limit: 200)
        let byRef = Dictionary(contacts.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let entries = clients.enumerated().map { index, client in
            Entry(
                rank: index + 1, ref: client.ref, name: client.name,
                href: "/dashboard/clients/\(client.id.uuidString.lowercased())", collector: client.assignedCollector,
                score: 0, reasons: [], overdue: "", lastContact: Self.when(byRef[client.ref]?.lastContactAt, zone: tenant.timeZone),
                promises: "", plans: "", nextContact: "")
        }
        return WorklistView(
            chrome: chrome, heading: "Placed accounts", agency: true, asOf: requested?.description ?? "today",
            excludedClosed: 0, excludedAgency: 0, excludedDoNotContact: 0, entries: entries, hasEntries: !entries.isEmpty)
    }

    static func promises(_ open: [PromiseState]) -> String {
        open.map { "\($0.promised.formatted) by \($0.promiseDate)" }.joined(separator: "; ")
    }

    static func plans(_ current: [PaymentPlan]) -> String {
        current.map { plan in
            let next = plan.instalments.first { $0.status == .open }
            let total = Money(amountMinor: Int64(plan.totalMinor), currency: plan.currency).formatted
            return next.map { "\(total), next \(Money(amountMinor: Int64($0.amountMinor), currency: plan.currency).formatted) due \($0.dueOn)" }
                ?? total
        }.joined(separator: "; ")
    }

    /// A time on the tenant's wall clock, "2026-12-01 14:05".
    static func when(_ date: Date?, zone: String) -> String {
        guard let date else { return "never" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
