@testable import CollectionsHTTP
import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// Every figure on the overview is the report's own: the page for a stored day
/// shows, cent for cent and ratio for ratio (2 decimals), what
/// `collections-admin report ageing|kpis --format json` prints for the same
/// tenant and day; the picker offers the stored days.
@Suite struct DashboardOverviewTests {
    static let days = ["2024-02-10", "2024-03-01", "2024-03-20"]

    /// Two currencies, a dispute, notes with satisfaction and a promise, stored by the worker on three days.
    static func book(_ fixture: HTTPFixture) async throws {
        let db = fixture.service.service
        let tenant = fixture.a.tenant.id
        _ = try await IsolationTests.seed(fixture, fixture.a, prefix: "P")
        _ = try await IsolationTests.seed(fixture, fixture.a, prefix: "Q")
        _ = try await Clients(database: db, tenant: tenant).create(NewClient(ref: "E-C1", name: "Euro client", currency: "EUR"), actor: "test")
        for (number, minor, due) in [("E-1", 1234_56, "2024-01-15"), ("E-2", 99_99, "2024-04-15"), ("E-3", 500_01, "2023-11-01")] {
            _ = try await Invoices(database: db, tenant: tenant).create(
                NewInvoice(clientRef: "E-C1", number: number, amount: Money(amountMinor: Int64(minor), currency: "EUR"),
                           issuedOn: CalendarDate("2023-10-01")!, dueOn: CalendarDate(due)!), actor: "test")
        }
        _ = try await Invoices(database: db, tenant: tenant).dispute(
            "Q-INV-2", on: CalendarDate("2024-02-05")!, reasonCode: .pricing, reason: "price", actor: "test")
        _ = try await ContactNotes(database: db, tenant: tenant).add(
            NewContactNote(clientRef: "P-C1", channel: .call, satisfaction: 4,
                           notedAt: ISO8601DateFormatter().date(from: "2024-02-02T10:00:00Z")), actor: "test")
        for day in days {
            _ = try await TenantDay(database: fixture.service.worker).run(
                tenant: fixture.a.tenant, asOf: CalendarDate(day)!, runID: nil, onlyIfNotDone: false)
        }
    }

    func report(_ kind: String, _ fixture: HTTPFixture, _ day: String) async throws -> [String: Any] {
        let result = try await Executable.run(
            "collections-admin", ["report", kind, fixture.a.tenant.slug, "--as-of", day, "--format", "json"],
            databaseURL: fixture.service.database.url(as: .admin))
        try #require(result.status == 0, "report \(kind): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func everyFigureOnTheOverviewIsTheStoredReportsOwnCentForCentAndRatiosTo2Decimals() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_overview")
        try await Self.book(fixture)
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            try await browser.signIn(fixture.a.key)
            for day in Self.days {
                let page = try await browser.get("/dashboard?as_of=\(day)")
                #expect(page.status == .ok, "\(page.text)")
                let html = page.text
                #expect(html.contains("Overview as of \(day)"))
                let money = DashboardBrowser.values(in: html, key: "data-figure", value: "data-minor")
                let ratios = DashboardBrowser.values(in: html, key: "data-kpi", value: "data-value")

                let ageing = try await report("ageing", fixture, day)
                let currencies = try #require(ageing["currencies"] as? [[String: Any]])
                #expect(currencies.map { $0["currency"] as? String } == ["EUR", "USD"])
                var compared = 0
                for row in currencies {
                    let code = try #require(row["currency"] as? String)
                    for key in ["total_minor", "current_minor", "disputed_minor", "unapplied_credit_minor"] {
                        #expect(money["\(code) \(key)"] == "\(try #require(row[key] as? Int))", "\(day) \(code) \(key)")
                        compared += 1
                    }
                    #expect(money["\(code) bucket current"] == "\(try #require(row["current_minor"] as? Int))")
                    for bucket in try #require(row["buckets"] as? [[String: Any]]) {
                        let label = try #require(bucket["label"] as? String)
                        #expect(money["\(code) bucket \(label)"] == "\(try #require(bucket["amount_minor"] as? Int))",
                                "\(day) \(code) bucket \(label)")
                        compared += 1
                    }
                    // And as people read it: the project's money formatting.
                    let total = Money(amountMinor: Int64(try #require(row["total_minor"] as? Int)), currency: code).formatted
                    #expect(html.contains("data-minor=\"\(row["total_minor"]!)\">\(total)</div>"), "\(code) \(total)")
                }
                let kpis = try await report("kpis", fixture, day)
                let kpiRows = try #require(kpis["currencies"] as? [[String: Any]])
                #expect(kpiRows.count == currencies.count)
                for row in kpiRows {
                    let code = try #require(row["currency"] as? String)
                    for key in ["dso", "countback_dso", "best_possible_dso", "average_days_delinquent", "cei", "percent_current",
                                "bad_debt_ratio", "promise_kept_rate", "plan_kept_rate", "csat_percent", "csat_average"] {
                        let expected = (row[key] as? Double).map { String(format: "%.2f", $0) } ?? ""
                        #expect(row.keys.contains(key), "the report has no \(key)")
                        #expect(ratios["\(code) \(key)"] == expected, "\(day) \(code) \(key): page \(ratios["\(code) \(key)"] ?? "none"), report \(expected)")
                        compared += 1
                    }
                    for key in ["credit_sales_minor", "write_offs_minor", "ar_minor"] {
                        #expect(ratios["\(code) \(key)"] == "\(try #require(row[key] as? Int))", "\(day) \(code) \(key)")
                        compared += 1
                    }
                    #expect(html.contains("DSO period \(try #require(kpis["dso_period_days"] as? Int)) days"))
                }
                #expect(compared > 30, "compared only \(compared) figures")
                // Something is owed, so the comparison compares something.
                #expect((currencies.last?["total_minor"] as? Int ?? 0) > 0)
                // The picker offers every stored day, the shown one selected; the trends are SVG with text alternatives.
                for stored in Self.days { #expect(html.contains("<option value=\"\(stored)\"")) }
                #expect(html.contains("<option value=\"\(day)\" selected>"))
                #expect(html.contains("<svg role=\"img\" aria-labelledby=\"trend-USD-dso-title"))
                #expect(html.contains("<desc id=\"ageing-USD-desc\">Current: "))
                #expect(!html.contains("<script"))
            }
            // A day the worker did not store is refused in words, not shown as an empty book.
            let missing = try await browser.get("/dashboard?as_of=2024-01-01")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("no stored snapshot"))
            let bad = try await browser.get("/dashboard?as_of=2024-13-01")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func theEmbeddedTemplatesAreTheTemplateFiles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("dashboard/templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(files.map { String($0.dropLast(".mustache".count)) } == DashboardTemplates.all.map(\.name).sorted())
        for template in DashboardTemplates.all {
            let text = try String(contentsOf: folder.appendingPathComponent("\(template.name).mustache"), encoding: .utf8)
            #expect(text.hasPrefix(template.source) && text.count == template.source.count + 1,
                    "\(template.name): run deploy/dev/embed-dashboard-templates.sh")
        }
    }
}
