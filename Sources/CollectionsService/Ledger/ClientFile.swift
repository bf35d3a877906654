public import Foundation
public import Postgres

/// Everything a collector reads about one client, as of the tenant's today: the
/// client, its invoices with their states, its payments and what each paid, its
/// disputes, its plans (when asked: an agency's role is granted none of their
/// tables) and its notes, newest first.
///
/// Read in one transaction of two statements: the client with the tenant's
/// today, then the rest together, each part the query of the service call that
/// reads it alone (`Invoices.list`, `Payments.ofClient`, `Invoices.disputes`,
/// `PaymentPlans.list`, `ContactNotes.list`) nested as JSON and read by that
/// call's own reader. A client of another tenant, or one not placed with the
/// session's agency, is not found.
public struct ClientFile: Sendable {
    public var client: Client
    public var asOf: CalendarDate
    public var invoices: [InvoiceState]
    public var payments: [PaymentSummary]
    public var disputes: [Dispute]
    public var plans: [PaymentPlan]
    public var notes: [ContactNote]

    public static let invoiceLimit = 1000
    public static let paymentLimit = 100
    public static let noteLimit = 200

    public static func read(
        database: CollectionsDatabase, tenant: Tenant, id: UUID, plans withPlans: Bool
    ) async throws -> ClientFile {
        let t = tenant.id
        return try await database.ledger(t, readOnly: true) { tx in
            guard let head = try await tx.query("""
                SELECT x.*, (\(Ledger.todaySQL(t))) AS today FROM (\(Clients.findSQL(id: id, tenant: t))) x
                """).first else {
                throw ServiceError.notFound("no such client")
            }
            let client = try Client(row: head)
            let date: CalendarDate = try head["today"]
            let plans: SQL = withPlans
                ? SQL.nestedRows(PaymentPlans.listSQL(tenant: tenant, asOf: date, client: id)) : "NULL::json"
            let row = try await tx.query("""
                SELECT \(SQL.nestedRows(Invoices.listSQL(t, asOf: date, where: "s.client_id = \(id)", limit: invoiceLimit)))
                           AS invoices,
                       \(SQL.nestedRows(Payments.ofClientSQL(t, client: id, asOf: date, limit: paymentLimit))) AS payments,
                       \(SQL.nestedRows(Payments.applicationsSQL(t, client: id, asOf: date, limit: paymentLimit)))
                           AS applications,
                       \(SQL.nestedRows(Invoices.clientInvoicesSQL(t, client: id))) AS client_invoices,
                       \(SQL.nestedRows(Invoices.clientDisputesSQL(t, client: id))) AS disputes,
                       \(plans) AS plans,
                       \(SQL.nestedRows(ContactNotes.listSQL(t, client: id, limit: noteLimit))) AS notes
                """)[0]
            return ClientFile(
                client: client, asOf: date,
                invoices: try Invoices.page(try row.nested("invoices"), limit: invoiceLimit).items,
                payments: try Payments.summaries(
                    payments: try row.nested("payments"), applications: try row.nested("applications"), on: date),
                disputes: try Invoices.disputes(invoices: try row.nested("client_invoices"), disputes: try row.nested("disputes")),
                plans: try PaymentPlan.plans(from: try row.nested("plans"), asOf: date),
                notes: try ContactNotes.page(try row.nested("notes"), limit: noteLimit).items)
        }
    }
}
