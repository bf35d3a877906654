import CollectionsDemo
import CollectionsSchema
import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// On Citus the migrator rewrites two things after the function files
/// (`CitusDistribution`): each SQL function that reads a table becomes PL/pgSQL
/// with the same body, and each function planned generically plans per call.
/// No Citus runs in CI, but the rewritten functions are plain PostgreSQL: here
/// they are made on a plain server, in a transaction rolled back at the end, and
/// must answer every report, the dunning plan and the ledger's steps exactly as
/// the SQL functions do on a generated book with plans, disputes, an agency and
/// collectors.
@Suite struct CitusFormsTests {
    static let fixture = Task { try await ServiceFixture.make("citus_forms") }

    /// Each call with `$tenant` the tenant and `$day` the day: together they reach every
    /// function the rewrite touches (report_day the KPIs, ageing, CSAT, promises
    /// and entries; dunning_plan the contact functions).
    static let calls = [
        "SELECT * FROM report_day($tenant, $day, '{30,60,90}', 90, 30, 3, 'America/Chicago')",
        "SELECT * FROM report_ageing_by_client($tenant, $day, '{30,60,90}')",
        "SELECT * FROM report_agency_recovery($tenant, $day)",
        "SELECT * FROM report_collector_kpis($tenant, $day, 90, 3, 'America/Chicago')",
        "SELECT * FROM report_plan_kept($tenant, $day, 90, 3)",
        "SELECT * FROM report_payment_credit($tenant, $day)",
        "SELECT * FROM dunning_plan($tenant, $day, 3)",
        "SELECT * FROM plan_instalments_at($tenant, $day, 3)",
        "SELECT * FROM ledger_balance_steps($tenant, (SELECT array_agg(id) FROM invoices WHERE tenant_id = $tenant))",
        "SELECT * FROM placement_refusals($tenant, (SELECT array_agg(id) FROM invoices WHERE tenant_id = $tenant), $day)",
        "SELECT webhook_promise_payload($tenant, n.id) FROM contact_notes n WHERE n.tenant_id = $tenant AND n.outcome = 'promise_to_pay'",
        "SELECT local_date(n.noted_at, 'America/Chicago'), c.* FROM contact_notes n, contact_calls($tenant, n.client_id, n.invoice_id, $day, 'America/Chicago') c WHERE n.tenant_id = $tenant",
    ]

    /// Each call's row count and a digest of its rows in a fixed order.
    static func answers(_ tx: PostgresConnection, tenant: UUID, day: CalendarDate) async throws -> [String] {
        var answers: [String] = []
        for call in calls {
            let text = call.replacingOccurrences(of: "$tenant", with: "'\(tenant.uuidString.lowercased())'::uuid")
                .replacingOccurrences(of: "$day", with: "'\(day)'::date")
            let row = try await tx.query("""
                SELECT count(*)::int, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM (\(unescaped: text)) x
                """)[0]
            answers.append("\(try row.decode(Int.self, at: 0)) \(try row.decode(String.self, at: 1)) \(call)")
        }
        return answers
    }

    @Test func thePLpgSQLFormsTheMigratorMakesOnCitusAnswerAsTheSQLFunctionsDo() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("forms", timeZone: "America/Chicago")
        let lastDay = CalendarDate("2026-11-30")!
        let shape = DemoBook.Shape(clients: 120, invoicesPerClient: 6, months: 12, lastDay: lastDay, otherCurrency: "CAD", seed: 3)
        try await DemoBook.write(shape, into: tenant, database: fixture.service)
        try await DemoBook.makeConsumerBook(shape, tenant: tenant, database: fixture.service)
        try await DemoBook.makePlans(shape, tenant: tenant, database: fixture.service, count: 8)
        try await DemoBook.makeDisputes(shape, tenant: tenant, database: fixture.service, count: 6)
        try await DemoBook.makeAgency(shape, tenant: tenant, database: fixture.service, count: 3)
        let day = lastDay.adding(days: -5)

        let connection = try await fixture.database.connect()
        try await connection.simpleQuery("BEGIN")
        let before = try await Self.answers(connection, tenant: tenant.id, day: day)
        // The book reaches every call: none answers with nothing.
        for answer in before { #expect(!answer.hasPrefix("0 "), "\(answer)") }

        let rewritten = try await CitusDistribution.asPLpgSQL(connection)
        for name in ["ledger_balance_steps", "report_kpis", "report_invoice_balances", "contact_permission", "webhook_promise_payload"] {
            #expect(rewritten.contains(where: { $0.hasPrefix("\(name)(") }), "\(name) not rewritten: \(rewritten)")
        }
        // Only functions that read tables: the pure ones stay SQL, inlined where called.
        #expect(!rewritten.contains(where: { $0.hasPrefix("local_date(") || $0.hasPrefix("report_ratio(") }), "\(rewritten)")
        let stillSQL = try await connection.query("""
            SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
              AND p.oid::regprocedure::text = ANY (\(rewritten))
            """).scalar(Int.self)
        #expect(stillSQL == 0)
        let planned = try await CitusDistribution.planPerCall(connection)
        #expect(planned.contains(where: { $0.hasPrefix("worker_store_day(") }), "\(planned)")
        let generic = try await connection.query("""
            SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND 'plan_cache_mode=force_generic_plan' = ANY (p.proconfig)
            """).scalar(Int.self)
        #expect(generic == 0)

        let after = try await Self.answers(connection, tenant: tenant.id, day: day)
        #expect(after == before)
        try await connection.simpleQuery("ROLLBACK")
        await connection.close()
    }
}
