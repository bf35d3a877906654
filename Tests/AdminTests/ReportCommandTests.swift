import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ReportCommandTests {
    static let booked = Task<(ServiceFixture, Tenant), any Error> {
        let fixture = try await ServiceFixture.make("reports")
        let tenant = try await fixture.tenant("rep")
        try await SyntheticBook.write(into: tenant, service: fixture.service, clients: 6)
        let run = try await Executable.run(
            "collections-worker", ["run", "--tenant", tenant.slug, "--as-of", "2013-06-30"], databaseURL: fixture.database.url(as: .worker))
        guard run.status == 0 else { throw ServiceError(.refused, "worker failed: \(run.stderr)") }
        return (fixture, tenant)
    }

    func admin(_ arguments: String...) async throws -> CommandResult {
        let (fixture, _) = try await Self.booked.value
        return try await Executable.run("collections-admin", arguments, databaseURL: fixture.database.url(as: .admin))
    }

    func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    }

    @Test func ageingJSONHasExactlyTheContractFields() async throws {
        let (_, tenant) = try await Self.booked.value
        let result = try await admin("report", "ageing", tenant.slug, "--as-of", "2013-06-30", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try json(result)
        #expect(report["tenant"] as? String == tenant.slug)
        #expect(report["as_of"] as? String == "2013-06-30")
        let currencies = try #require(report["currencies"] as? [[String: Any]])
        #expect(currencies.map { $0["currency"] as? String } == ["EUR", "USD"])
        for currency in currencies {
            for key in ["currency", "total_minor", "current_minor", "buckets", "disputed_minor", "unapplied_credit_minor"] {
                #expect(currency[key] != nil, "missing \(key)")
            }
            let buckets = try #require(currency["buckets"] as? [[String: Any]])
            #expect(buckets.map { $0["label"] as? String } == ["1-30", "31-60", "61-90", "91+"])
            #expect(buckets.last?["to_days"] is NSNull)
            #expect(buckets.first?["from_days"] as? Int == 1)
            let sum = buckets.compactMap { $0["amount_minor"] as? Int }.reduce(currency["current_minor"] as? Int ?? 0, +)
            #expect(sum == currency["total_minor"] as? Int)
        }
    }

    @Test func storedReportsEqualTheLiveComputationForTheSameDay() async throws {
        let (fixture, tenant) = try await Self.booked.value
        let day = CalendarDate("2013-06-30")!
        let stored = try await StoredReports.ageing(database: fixture.service, tenant: tenant, asOf: day)
        let live = try await Ageing.compute(database: fixture.service, tenant: tenant, asOf: day)
        #expect(stored == live)
        let storedKPIs = try await StoredReports.kpis(database: fixture.service, tenant: tenant, asOf: day)
        let liveKPIs = try await KPIs.compute(database: fixture.service, tenant: tenant, asOf: day)
        #expect(storedKPIs == liveKPIs)
        let storedClients = try await StoredReports.ageingByClient(database: fixture.service, tenant: tenant, asOf: day)
        let liveClients = try await Ageing.byClient(database: fixture.service, tenant: tenant, asOf: day)
        #expect(storedClients == liveClients)
    }

    @Test func kpiJSONHasExactlyTheContractFieldsWithNullsPresent() async throws {
        let (_, tenant) = try await Self.booked.value
        let result = try await admin("report", "kpis", tenant.slug, "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try json(result)
        #expect(report["as_of"] as? String == "2013-06-30", "the latest stored day by default")
        #expect(report["dso_period_days"] as? Int == 90)
        #expect(report["cei_period_days"] as? Int == 30)
        let currencies = try #require(report["currencies"] as? [[String: Any]])
        let fields = ["currency", "ar_minor", "current_minor", "credit_sales_minor", "dso", "countback_dso",
                      "best_possible_dso", "average_days_delinquent", "cei", "percent_current", "bad_debt_ratio",
                      "promise_kept_rate", "csat_percent", "csat_average", "csat_count"]
        for currency in currencies {
            for key in fields { #expect(currency.keys.contains(key), "missing \(key)") }
        }
    }

    @Test func aDayWithNoSnapshotSaysSoAndNamesTheCommand() async throws {
        let (_, tenant) = try await Self.booked.value
        let result = try await admin("report", "kpis", tenant.slug, "--as-of", "2013-01-15")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no stored snapshot for \(tenant.slug) as of 2013-01-15"))
        #expect(result.stderr.contains("collections-worker run --tenant \(tenant.slug) --as-of 2013-01-15"))
    }

    @Test func tablesAndCSVReadWell() async throws {
        let (_, tenant) = try await Self.booked.value
        let table = try await admin("report", "ageing", tenant.slug, "--as-of", "2013-06-30")
        #expect(table.stdout.contains("ageing as of 2013-06-30"))
        #expect(table.stdout.contains(" USD"))
        let csv = try await admin("report", "ageing", tenant.slug, "--as-of", "2013-06-30", "--by-client", "--format", "csv")
        #expect(csv.stdout.hasPrefix("client,name,currency,total,current,1-30,31-60,61-90,91+,disputed,credit\n"))
    }

    @Test func remindersListTheDaysQueueWithWhereToSendEach() async throws {
        let (fixture, tenant) = try await Self.booked.value
        let stored = try await Reminders(database: fixture.service, tenant: tenant.id).scheduled(on: CalendarDate("2013-07-01")!)
        try #require(!stored.reminders.isEmpty, "the booked day queued reminders")

        let result = try await admin("report", "reminders", tenant.slug, "--as-of", "2013-07-01", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["invoice_number"] as? String } == stored.reminders.map(\.invoiceNumber))
        #expect(entries.map { $0["offset_days"] as? Int } == stored.reminders.map(\.offsetDays))
        #expect(entries.allSatisfy { ($0["balance"] as? [String: Any])?["amount_minor"] as? Int ?? 0 > 0 })

        let table = try await admin("report", "reminders", tenant.slug, "--as-of", "2013-07-01")
        #expect(table.stdout.contains("reminders for 2013-07-01"))
        #expect(table.stdout.contains(stored.reminders[0].timing))
        let none = try await admin("report", "reminders", tenant.slug, "--as-of", "2013-06-30")
        #expect(none.status == 0)
        #expect(none.stdout.contains("none queued (the run of the day before queues a day's messages: collections-worker run --tenant \(tenant.slug) --as-of 2013-06-29)"))
    }
}
