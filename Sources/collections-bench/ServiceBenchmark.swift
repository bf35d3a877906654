import ArgumentParser
import CollectionsService
import Foundation
import Postgres

/// `collections-bench service`: the HTTP benchmark's in-process side
/// (deploy/bench/http.sh). The operations `POST /v1/payments` and
/// `GET /v1/reports/kpis` do, called through the service library by
/// `--connections` tasks at once for `--seconds`, as the server's login:
/// posting a payment with its own reference (the one posting path), and reading
/// the stored KPIs of the latest day. Prints one JSON line: requests, rate,
/// p50 and p99 latency.
struct ServiceBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Service-library throughput of the HTTP API's payment post and KPI read, for deploy/bench/http.sh.")

    enum Operation: String, ExpressibleByArgument, CaseIterable { case payments, kpis }

    @Option(name: .customLong("server-url"), help: "As the server's login (default: $DATABASE_URL); named apart from the benchmarks' own --database-url.") var databaseURL: String?
    @Option(help: "The tenant's id.") var tenant: String
    @Option(help: "payments or kpis.") var operation: Operation
    @Option(help: "Concurrent callers (and pool connections).") var connections = 16
    @Option(help: "Seconds to run.") var seconds = 10
    @Option(help: "The client the payments are from.") var client = "C1"
    @Option(help: "Prefix of the payments' references (unique per run).") var prefix = "BENCH"

    func run() async throws {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], let tenantID = UUID(uuidString: tenant) else {
            throw ValidationError("pass --server-url (or DATABASE_URL) and --tenant UUID")
        }
        let database = try CollectionsDatabase(url: url, maxConnections: connections)
        let tenantRow = try await Tenant.own(tenantID, database: database)
        guard let day = try await StoredReports.latestDay(database: database, tenant: tenantRow) else {
            throw ValidationError("the tenant has no stored day: run collections-worker run --tenant \(tenantRow.slug) first")
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let (operation, client, prefix) = (operation, client, prefix)
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<connections {
                group.addTask {
                    var times: [Double] = []
                    var count = 0
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        switch operation {
                        case .payments:
                            count += 1
                            let reference = "\(prefix)-\(worker)-\(count)"
                            _ = try await Payments(database: database, tenant: tenantID).postAnswering(
                                PaymentRequest(clientRef: client, reference: reference, amount: Money(amountMinor: 1_00, currency: "USD"),
                                               receivedOn: day),
                                idempotencyKey: reference, actor: "bench")
                        case .kpis:
                            _ = try ReportJSON.document(try await StoredReports.kpis(database: database, tenant: tenantRow, asOf: day))
                        }
                        let elapsed = ContinuousClock.now - start
                        times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                    }
                    return times
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted()
        }
        await database.close()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let line: [String: Any] = [
            "operation": operation.rawValue, "connections": connections, "seconds": seconds, "requests": latencies.count,
            "rate": Double(latencies.count) / Double(seconds), "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
            "peak_rss_bytes": Machine.peakResidentBytes() ?? 0,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
    }
}
