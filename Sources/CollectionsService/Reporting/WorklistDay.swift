import Foundation
public import Postgres

/// The worklist as a collector works it: the ranked clients (`Worklist.compute`'s
/// statement and readers, its score and reasons as the report gives them), each
/// listed client's last contact, and the promises and plans as of the day.
///
/// Read in one transaction of at most two statements: the tenant's today when no
/// day is asked for, then the worklist's statement with the rest nested beside it
/// as JSON, each the query of the service call that reads it alone
/// (`Worklist.nextContactsSQL`, `Clients.lastContacts`, `ContactNotes.promises`,
/// `PaymentPlans.list`) and read by that call's reader. The transaction runs with
/// the reports' settings (`withTenant(reporting:)`) rather than `Reporting.run`'s
/// extra statement.
public struct WorklistDay: Sendable {
    public var report: WorklistReport
    public var contacts: [ClientContact]
    /// The listed clients' promises made by the day, in every state.
    public var promises: [PromiseState]
    /// Every plan made by the day, as it stands then.
    public var plans: [PaymentPlan]

    public static func read(
        database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate?, limit: Int = 50,
        rules: WorklistRules = .standard
    ) async throws -> WorklistDay {
        let limit = try Check.limit(limit)
        try rules.validate()
        let t = tenant.id
        return try await database.ledger(t, readOnly: true, reporting: true) { tx in
            let day = try await asOf.orToday(t, in: tx)
            let refs: SQL = "ARRAY(SELECT w.ref FROM w WHERE w.rank IS NOT NULL)"
            let row = try await tx.query("""
                WITH w AS MATERIALIZED (\(Worklist.statement(t, asOf: day, collector: nil, limit: limit, rules: rules)))
                SELECT \(SQL.nestedRows("SELECT * FROM w ORDER BY w.rank NULLS FIRST")) AS worklist,
                       \(SQL.nestedRows(Worklist.nextContactsSQL(t, refs: refs, day: day))) AS next_contacts,
                       \(SQL.nestedRows(Clients.lastContactsSQL(t, refs: refs))) AS contacts,
                       \(SQL.nestedRows(ContactNotes.promisesSQL(t, where: "c.ref = ANY(\(refs))", asOf: day))) AS promises,
                       \(SQL.nestedRows(PaymentPlans.listSQL(tenant: tenant, asOf: day, client: nil))) AS plans
                """)[0]
            var report = try Worklist.report(try row.nested("worklist"), asOf: day, collector: nil, team: nil, rules: rules)
            try Worklist.addNextContacts(&report.entries, try row.nested("next_contacts"))
            return WorklistDay(
                report: report, contacts: try Clients.lastContacts(try row.nested("contacts")),
                promises: try row.nested("promises").map(PromiseState.init(row:)),
                plans: try PaymentPlan.plans(from: try row.nested("plans"), asOf: day))
        }
    }

    /// An agency's accounts: the first `limit` clients its role lets it see (those
    /// placed with it), in ref order, with each one's last contact; one statement.
    public static func placed(database: CollectionsDatabase, tenant: Tenant, limit: Int = 200) async throws
        -> (clients: [Client], contacts: [ClientContact])
    {
        let limit = try Check.limit(limit)
        let t = tenant.id
        return try await database.ledger(t, readOnly: true) { tx in
            let row = try await tx.query("""
                WITH l AS MATERIALIZED (\(Clients.listSQL(t, limit: limit)))
                SELECT \(SQL.nestedRows("SELECT * FROM l ORDER BY l.ref")) AS clients,
                       \(SQL.nestedRows(Clients.lastContactsSQL(t, refs: "ARRAY(SELECT l.ref FROM l)"))) AS contacts
                """)[0]
            return (try Clients.page(try row.nested("clients"), limit: limit).items,
                    try Clients.lastContacts(try row.nested("contacts")))
        }
    }
}
