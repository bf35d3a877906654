@testable import CollectionsHTTP
import CollectionsService
import Foundation
@testable import Postgres
import Testing
import TestSupport

/// Issue 17's "each page's data in one or two queries", counted by the server:
/// pg_stat_statements (track = all, which deploy/local/test.sh loads) records
/// every statement the pages send to the suite's database, and each page's data
/// (as the routes ask for it: `OverviewView.make`, ...) must come in one
/// transaction of at most two statements besides `withTenant`'s own preamble
/// (its `SET LOCAL`s and the tenant check) and the pool's session reset when the
/// connection comes back (`ConnectionPool.resetSession`), each once per
/// transaction: a repeat of one of them is counted as a statement of the page.
/// The lender's pages with and without a day, and an agency's worklist and client page.
@Suite struct DashboardQueryTests {
    /// What a page sent: transactions begun, and its statements with their calls.
    struct Sent: CustomStringConvertible {
        var transactions = 0
        var statements: [(text: String, calls: Int)] = []
        var count: Int { statements.reduce(0) { $0 + $1.calls } }
        var description: String {
            "\(transactions) transaction(s), \(count) statement(s):\n"
                + statements.map { "  \($0.calls) x \($0.text.prefix(160))" }.joined(separator: "\n")
        }
    }

    /// `withTenant`'s preamble (CollectionsDatabase.withTenant) and the pool's
    /// session reset: sent once per transaction, not counted.
    static func isPreamble(_ text: String) -> Bool {
        text.hasPrefix("SET LOCAL ROLE ") || text.hasPrefix("SET LOCAL app.tenant_id") || text.hasPrefix("SET LOCAL app.agency_id")
            || text == "SET LOCAL jit = off" || text == "SELECT current_tenant_is_active()"
            || ConnectionPool.resetSession.components(separatedBy: "; ").contains(text)
    }

    /// What `body` made the server run at top level in this database, from
    /// any login but the counting one (`stats`, the superuser's).
    static func sent(by stats: PostgresConnection, _ body: () async throws -> Void) async throws -> Sent {
        try await stats.execute("""
            SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)
            """)
        try await body()
        let rows = try await stats.query("""
            SELECT s.query, s.calls::bigint AS calls FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.toplevel
              AND s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
            ORDER BY s.query
            """)
        var sent = Sent()
        var preamble: [(String, Int)] = []
        for row in rows {
            let text = try row.decode(String.self, column: "query").trimmingCharacters(in: .whitespacesAndNewlines)
            let calls = Int(try row.decode(Int64.self, column: "calls"))
            let upper = text.uppercased()
            if upper.hasPrefix("BEGIN") {
                sent.transactions += calls
            } else if upper == "COMMIT" || upper == "ROLLBACK" {
                continue
            } else if isPreamble(text) {
                preamble.append((text, calls))
            } else {
                sent.statements.append((text, calls))
            }
        }
        // More calls of a preamble statement than transactions: the page sent them.
        for (text, calls) in preamble where calls > sent.transactions {
            sent.statements.append((text, calls - sent.transactions))
        }
        return sent
    }

    @Test func eachPagesDataIsOneTransactionOfAtMostTwoStatements() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_queries")
        try await DashboardOverviewTests.book(fixture)
        let db = fixture.service.service
        let tenant = fixture.a.tenant
        let agencies = Agencies(database: db, tenant: tenant.id)
        let agency = try await agencies.create(name: "Recoveries Inc", commissionBP: 1500, actor: "test")
        _ = try await agencies.place(clientRef: "P-C1", agency: "Recoveries Inc", on: CalendarDate("2024-02-01")!, actor: "test")
        let client = try await Clients(database: db, tenant: tenant.id).get("Q-C1").id
        let placed = try await Clients(database: db, tenant: tenant.id).get("P-C1").id

        let stats = try await fixture.service.database.connect()
        let preloaded = try await stats.query("SELECT current_setting('shared_preload_libraries')").scalar(String.self) ?? ""
        try #require(preloaded.contains("pg_stat_statements"), """
            the server must load pg_stat_statements (shared_preload_libraries, pg_stat_statements.track = all), \
            as deploy/local/test.sh starts it
            """)
        try await stats.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

        let server = fixture.server
        let chrome = DashboardChrome(title: "count")
        let lender = DashboardSession(id: UUID(), tenant: tenant.id, agency: nil, csrfToken: "token")
        let agent = DashboardSession(id: UUID(), tenant: tenant.id, agency: agency.id, csrfToken: "token")
        let day = CalendarDate(DashboardOverviewTests.days[1])!
        let pages: [(String, UUID?, @Sendable () async throws -> Void)] = [
            ("overview", nil, { _ = try await OverviewView.make(database: server, tenant: tenant, asOf: nil, chrome: chrome) }),
            ("overview as of a day", nil, {
                _ = try await OverviewView.make(database: server, tenant: tenant, asOf: day, chrome: chrome)
            }),
            ("worklist", nil, {
                _ = try await WorklistView.make(database: server, tenant: tenant, asOf: nil, chrome: chrome, agency: false)
            }),
            ("client", nil, {
                _ = try await ClientView.make(database: server, tenant: tenant, id: client, chrome: chrome, session: lender)
            }),
            ("dunning", nil, { _ = try await DunningView.make(database: server, tenant: tenant, asOf: nil, chrome: chrome) }),
            ("an agency's accounts", agency.id, {
                _ = try await WorklistView.make(database: server, tenant: tenant, asOf: nil, chrome: chrome, agency: true)
            }),
            ("an agency's client", agency.id, {
                _ = try await ClientView.make(database: server, tenant: tenant, id: placed, chrome: chrome, session: agent)
            }),
        ]
        for (name, agencyID, page) in pages {
            let run = { try await CollectionsDatabase.$agency.withValue(agencyID) { try await page() } }
            // Once first, so that the pool's connections are open before counting.
            try await run()
            let sent = try await Self.sent(by: stats, run)
            #expect(sent.transactions == 1, "\(name): \(sent)")
            #expect(sent.count >= 1 && sent.count <= 2, "\(name): \(sent)")
        }
        await stats.close()
    }
}
