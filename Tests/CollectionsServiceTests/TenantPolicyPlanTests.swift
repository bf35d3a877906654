import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// The tenant policies must not make plans depend on which tenant was current
/// when a statement was planned (sql/0007): a prepared statement's plan serves
/// every tenant after, and a new tenant is missing from the statistics. Since
/// sql/0012 each statement names its tenant as a parameter (DESIGN.md
/// "Scale-out"), and the policy's call must stay a one-time filter beside it,
/// never a condition checked row by row.
@Suite struct TenantPolicyPlanTests {
    static let fixture = Task { try await ServiceFixture.make("policyplans") }

    /// `rows` payments of their own clients for `tenant`, written set-based.
    func payments(_ rows: Int, for tenant: Tenant, in fixture: ServiceFixture) async throws {
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name)
                SELECT current_tenant_id(), 'C-' || c, 'Client ' || c FROM generate_series(1, \(Int32(max(1, rows / 20)))) c
                """)
            try await tx.execute("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                SELECT current_tenant_id(), c.id, 'P-' || p, 'USD', 100 + p, DATE '2024-01-01' + p % 300
                FROM generate_series(1, \(Int32(rows))) p
                JOIN clients c ON c.ref = 'C-' || (1 + p % \(Int32(max(1, rows / 20))))
                """)
        }
    }

    /// The plan, as text, of a payment looked up by reference for `tenant`, as a
    /// prepared statement's generic plan (the one the pool's connections keep).
    func lookupPlan(for tenant: Tenant, in fixture: ServiceFixture) async throws -> String {
        try await fixture.service.withTenant(tenant.id) { tx async throws in
            try await tx.simpleQuery("SET LOCAL plan_cache_mode = force_generic_plan")
            try await tx.simpleQuery("""
                PREPARE lookup(uuid, text) AS SELECT id, amount_minor FROM payments WHERE tenant_id = $1 AND reference = $2
                """)
            let plan = try await tx.simpleQuery("EXPLAIN EXECUTE lookup('\(tenant.id.uuidString.lowercased())', 'P-7')")
                .map { try $0.decode(String.self, at: 0) }
            try await tx.simpleQuery("DEALLOCATE lookup")
            return plan.joined(separator: "\n")
        }
    }

    @Test func aTenantNewToTheStatisticsFindsAPaymentByItsReferenceKey() async throws {
        let fixture = try await Self.fixture.value
        let established = try await fixture.tenant("established")
        try await payments(5_000, for: established, in: fixture)
        let owner = try await fixture.database.connect()
        try await owner.simpleQuery("ANALYZE clients, payments")
        await owner.close()

        // Created after the statistics were taken: to them it has no rows.
        let newcomer = try await fixture.tenant("newcomer")
        try await payments(2_000, for: newcomer, in: fixture)

        for tenant in [newcomer, established] {
            let plan = try await lookupPlan(for: tenant, in: fixture)
            #expect(plan.contains("payments_reference_key"), "\(tenant.slug):\n\(plan)")
            #expect(plan.contains("Index Cond: ((tenant_id = $1) AND (reference = $2))"), "\(tenant.slug):\n\(plan)")
            #expect(plan.contains("One-Time Filter: (current_active_tenant_id() = $1)"), "\(tenant.slug):\n\(plan)")
        }
    }

    /// The generic plan of a tenant's day (report_day, as the worker's functions
    /// and auto-prepared reports keep it), planned afresh with `tenant` current.
    func dayPlan(_ tx: PostgresConnection, for tenant: Tenant) async throws -> String {
        try await tx.simpleQuery(SQL.setLocal("app.tenant_id", to: tenant.id))
        try await tx.simpleQuery("PREPARE day(uuid, date) AS SELECT * FROM report_day($1, $2, '{30,60,90}', 90, 30, 0, 'UTC')")
        let plan = try await tx.simpleQuery("EXPLAIN EXECUTE day('\(tenant.id.uuidString.lowercased())', '2013-06-30')")
            .map { try $0.decode(String.self, at: 0) }
        try await tx.simpleQuery("DEALLOCATE day")
        return plan.joined(separator: "\n")
    }

    @Test func aTenantsDayIsPlannedAlikeForATenantNewToTheStatisticsAndAnEstablishedOne() async throws {
        let fixture = try await Self.fixture.value
        let established = try await fixture.tenant("big")
        try await SyntheticBook.write(into: established, service: fixture.service, clients: 80, invoicesPerClient: 25)
        let owner = try await fixture.database.connect()
        defer { Task { await owner.close() } }
        try await owner.simpleQuery("ANALYZE")
        let newcomer = try await fixture.tenant("small")
        try await SyntheticBook.write(into: newcomer, service: fixture.service, clients: 1, invoicesPerClient: 1)

        let plans = try await owner.transaction { tx async throws in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app; SET LOCAL plan_cache_mode = force_generic_plan")
            return (newcomer: try await dayPlan(tx, for: newcomer), established: try await dayPlan(tx, for: established))
        }
        // Estimates and all: planned with the newcomer current, its rows were once
        // estimated at about one, and that plan served every tenant after it.
        #expect(plans.newcomer == plans.established, "newcomer:\n\(plans.newcomer)\n\nestablished:\n\(plans.established)")
        // Every tenant table the day reads (invoices, charges, applications,
        // payments, write-offs, disputes, notes) with the policy as a one-time
        // filter, and nowhere checked per row.
        let oneTime = plans.newcomer.components(separatedBy: "One-Time Filter: (current_active_tenant_id() = $1)").count - 1
        #expect(oneTime >= 7, "\(plans.newcomer)")
        let perRow = plans.newcomer.split(separator: "\n")
            .filter { $0.contains("current_active_tenant_id") && !$0.contains("One-Time Filter") }
        #expect(perRow == [], "\(plans.newcomer)")
        #expect(!plans.newcomer.contains("InitPlan"), "no subquery left in a policy:\n\(plans.newcomer)")
    }

    @Test func everyFunctionOnTenantDataTakesItsTenantAndNeverReadsTheSetting() async throws {
        let fixture = try await Self.fixture.value
        let owner = try await fixture.database.connect()
        defer { Task { await owner.close() } }
        // The policies' own functions (and the migrations' DDL helper, which writes
        // policies and touches no row) aside, none reads the tenant setting: each
        // is told its tenant (Citus routes a call by it; DESIGN.md "Scale-out").
        let reading = try await owner.query("""
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
              AND p.proname NOT IN ('current_tenant_id', 'current_tenant_is_active', 'current_active_tenant_id',
                                    'refuse_suspended_tenant', 'apply_tenancy_recipe')
              AND p.prosrc ~ '(current_tenant_id|current_active_tenant_id|current_tenant_is_active)\\(|app\\.tenant_id'
            ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        #expect(reading == [])
        // Every function that names a tenant_id column (trigger functions read
        // their row's) takes the tenant first.
        let untold = try await owner.query("""
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
              AND p.prorettype <> 'trigger'::regtype AND p.prosrc LIKE '%tenant_id%'
              AND p.proname NOT IN ('current_tenant_id', 'current_tenant_is_active', 'current_active_tenant_id',
                                    'apply_tenancy_recipe')
              AND NOT (p.pronargs > 0 AND p.proargtypes[0] = 'uuid'::regtype AND p.proargnames[1] = 'for_tenant')
            ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        #expect(untold == [])
        let told = try await owner.query("""
            SELECT count(*) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proargnames[1] = 'for_tenant'
            """).scalar(Int.self) ?? 0
        #expect(told >= 14, "the checks above looked at the functions that read tenant data")
    }
}
