import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// The tenant policies must not make plans depend on which tenant was current
/// when a statement was planned (sql/0007): a prepared statement's plan serves
/// every tenant after, and a new tenant is missing from the statistics.
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
            try await tx.simpleQuery("PREPARE lookup(text) AS SELECT id, amount_minor FROM payments WHERE reference = $1")
            let plan = try await tx.simpleQuery("EXPLAIN EXECUTE lookup('P-7')").map { try $0.decode(String.self, at: 0) }
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
            #expect(plan.contains("reference = $1") && plan.contains("Index Cond"), "\(tenant.slug):\n\(plan)")
        }
    }

    /// The generic plan of a tenant's day (report_day, as the worker's functions
    /// and auto-prepared reports keep it), planned afresh with `tenant` current.
    func dayPlan(_ tx: PostgresConnection, for tenant: Tenant) async throws -> String {
        try await tx.query("SELECT set_config('app.tenant_id', \(tenant.id.uuidString.lowercased()), true)")
        try await tx.simpleQuery("PREPARE day(date) AS SELECT * FROM report_day($1, '{30,60,90}', 90, 30, 0, 'UTC')")
        let plan = try await tx.simpleQuery("EXPLAIN EXECUTE day('2013-06-30')")
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
        #expect(plans.newcomer.contains("InitPlan"))
    }

    @Test func noFunctionReadsTheTenantWhereThePlannerCanFoldIt() async throws {
        let fixture = try await Self.fixture.value
        let owner = try await fixture.database.connect()
        defer { Task { await owner.close() } }
        // Bodies with the initplan form set aside; what is left must not call the
        // function. current_tenant_is_active looks up the one tenants row by its
        // key, a plan that is the same for every tenant.
        let bare = try await owner.query("""
            SELECT p.proname FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
              AND p.proname NOT IN ('current_tenant_id', 'current_tenant_is_active')
              AND replace(replace(p.prosrc, '(SELECT public.current_tenant_id())', ''), '(SELECT current_tenant_id())', '')
                  ~ 'current_tenant_id\\(\\)'
            ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        #expect(bare == [])
        let wrapped = try await owner.query("""
            SELECT count(*) FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosrc LIKE '%(SELECT public.current_tenant_id())%'
            """).scalar(Int.self) ?? 0
        #expect(wrapped >= 8, "the check above looked at the functions that read the tenant")
    }
}
