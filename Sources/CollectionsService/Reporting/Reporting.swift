import Foundation
public import Postgres

/// What ageing and KPI reports share: the as-of date and the rules of the SQL.
///
/// The figures themselves are computed by the SQL functions of
/// `sql/0002_reporting.sql` (`report_ageing`, `report_ageing_by_client`,
/// `report_kpis`, `report_csat`, on top of `report_invoice_balances` and
/// `report_payment_credit`), set-based, in one statement per report, inside a
/// transaction that has the tenant set, the tenant also passed as their first
/// argument (DESIGN.md "Scale-out"). `Ageing` and `KPIs` call them for live
/// reports; the daily worker embeds the same statements (`Ageing.rowsSQL`,
/// `KPIs.rowsSQL`, ...) in its `INSERT ... SELECT ... ON CONFLICT` so a stored
/// snapshot and a live report can never disagree.
public enum Reporting {
    /// The tenant's "today": the server's current date in the tenant's time zone.
    public static func today(for tenant: Tenant, in tx: PostgresConnection) async throws -> CalendarDate {
        guard let date = try await tx.query("SELECT local_date(now(), \(tenant.timeZone))").scalar(CalendarDate.self) else {
            throw ServiceError.invalid("could not compute today's date in time zone \(tenant.timeZone)")
        }
        return date
    }

    /// `asOf`, or the tenant's today when nil.
    static func resolve(_ asOf: CalendarDate?, tenant: Tenant, in tx: PostgresConnection) async throws -> CalendarDate {
        if let asOf { return asOf }
        return try await today(for: tenant, in: tx)
    }

    /// A live report as of `asOf` (default: the tenant's today), in one read-only
    /// transaction for the tenant: what each report's `database:` form does
    /// around its `in: tx` form, which gets the transaction and the resolved date.
    static func live<Report>(
        _ database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate?,
        _ report: (PostgresConnection, CalendarDate) async throws -> Report
    ) async throws -> Report {
        try await database.withTenant(tenant.id, readOnly: true) { tx in
            try await report(tx, try await resolve(asOf, tenant: tenant, in: tx))
        }
    }

    /// Runs a report statement with JIT compilation off for the rest of the
    /// transaction, in one round trip (`SET LOCAL jit = off` pipelined before it).
    ///
    /// A report is milliseconds of work per tenant, but its cost estimate grows
    /// with the book (about 0.4-1 per invoice) and crosses `jit_above_cost`
    /// (100,000) for books of 100,000-250,000 invoices, or sooner when an estimate
    /// is off: compiling then costs far more than running (measured: 94 ms of JIT
    /// on a 22 ms ageing whose estimate had crossed the threshold). `SET LOCAL`
    /// ends with the transaction, so nothing leaks through a transaction pooler.
    /// The worker's snapshot transactions want the same (`prepare`).
    static func run(_ sql: SQL, in tx: PostgresConnection) async throws -> PostgresRows {
        try await tx.pipeline([SQL(unescaped: settings), sql])[1]
    }

    /// The settings of a report's transaction (see `run`); `withTenant(reporting: true)`
    /// sends them with its own, for a transaction of several report statements.
    static let settings = "SET LOCAL jit = off"

    /// Switches JIT compilation off for the rest of a report or snapshot
    /// transaction (see `run`): for callers that embed the report SQL themselves,
    /// such as the worker's snapshot upserts.
    public static func prepare(_ tx: PostgresConnection) async throws {
        try await tx.execute(SQL(unescaped: settings))
    }
}

// MARK: - JSON helpers
