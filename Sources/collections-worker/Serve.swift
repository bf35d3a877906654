import ArgumentParser
import AsyncHTTPClient
import CollectionsCommandLine
import CollectionsService
import Delivery
import Foundation
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run continuously: each tenant's day shortly after its local midnight, catching up missed days, and the deliveries.",
        discussion: """
            Every --interval seconds, each active tenant whose local time is past midnight plus
            --delay-minutes gets the days from its last done day to yesterday (at most
            --catch-up-days of them). Every --deliver-interval seconds the outbox is sent as
            `deliver` sends it. SIGTERM or SIGINT finish the day in progress and exit.
            Prometheus metrics are served on http://--metrics-host:--metrics-port/metrics.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var delivery: DeliveryOptions
    @Option(name: .customLong("deliver-interval"), help: "Seconds between delivery passes.") var deliverInterval: Int = 30
    @Option(help: "Seconds between checks.") var interval: Int = 60
    @Option(name: .customLong("delay-minutes"), help: "Minutes after local midnight before a day is run.") var delayMinutes: Int = 5
    @Option(name: .customLong("catch-up-days"), help: "Most days caught up per tenant after downtime.") var catchUpDays: Int = 31
    @Option(help: "Tenants worked on at once.") var jobs: Int = 2
    @Option(name: .customLong("metrics-host"), help: "Address the metrics endpoint listens on.") var metricsHost = "127.0.0.1"
    @Option(name: .customLong("metrics-port"), help: "Port of the metrics endpoint (0: no endpoint).") var metricsPort: Int = 9464

    func validate() throws {
        if interval < 1 { throw ValidationError("--interval must be at least 1 second") }
        if deliverInterval < 1 { throw ValidationError("--deliver-interval must be at least 1 second") }
        if !(0...1439).contains(delayMinutes) { throw ValidationError("--delay-minutes must be between 0 and 1439") }
        if !(1...366).contains(catchUpDays) { throw ValidationError("--catch-up-days must be between 1 and 366") }
        if !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
        if !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be between 0 and 65535") }
    }

    func run() async throws {
        let deliveries = try delivery.configuration()
        let http = WebhookSender.makeHTTPClient()
        do {
            try await serve(http: http, deliveries: deliveries)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }

    private func serve(http: HTTPClient, deliveries: MessageSender.Configuration) async throws {
        try await reportingFailures(database, connections: jobs + delivery.senders + 1) { db in
            let logger = workerLogger()
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let scheduler = DailyScheduler(
                worker: DailyWorker(database: db, logger: logger), database: db, interval: .seconds(interval),
                delayMinutes: delayMinutes, catchUpDays: catchUpDays, jobs: jobs, logger: logger)
            let sender = MessageSender(database: db, configuration: deliveries, logger: logger)
            var services: [any Service] = [
                scheduler,
                DeliveryLoop(pass: DeliveryPass(sender: sender, webhooks: WebhookSender(database: db, httpClient: http,
                                                                                        logger: logger),
                                                senders: delivery.senders), tenantSlug: nil,
                             interval: .seconds(deliverInterval), logger: logger),
            ]
            if metricsPort > 0 {
                services.append(MetricsServer(registry: registry, host: metricsHost, port: UInt16(metricsPort), logger: logger))
            }
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

/// The serve loop: finds the tenants with days to do and does them.
struct DailyScheduler: Service {
    let worker: DailyWorker
    let database: CollectionsDatabase
    let interval: Duration
    let delayMinutes: Int
    let catchUpDays: Int
    let jobs: Int
    let logger: Logger

    func run() async throws {
        logger.info("collections-worker serving", metadata: ["interval": "\(interval)", "jobs": "\(jobs)"])
        while !Task.isShuttingDownGracefully {
            do {
                try await tick()
            } catch {
                logger.error("scheduling pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        logger.info("collections-worker stopped")
    }

    /// One pass: every active tenant's missing days up to its yesterday, `jobs`
    /// tenants at a time (one tenant's days in date order). A tenant that fails is
    /// logged and the others carry on; none is started once shutdown begins.
    func tick() async throws {
        let due = try await database.asWorker { tx in
            try await tx.query("""
                SELECT t.slug,
                       local_date(now() - make_interval(mins => \(Int32(delayMinutes))), t.time_zone) - 1 AS yesterday
                FROM tenants t WHERE t.status = 'active' ORDER BY t.slug
                """).decode((String, CalendarDate).self)
        }
        await withTaskGroup(of: Void.self) { group in
            var pending = due[...]
            func startNext() {
                guard !Task.isShuttingDownGracefully, let (slug, yesterday) = pending.popFirst() else { return }
                group.addTask { await self.catchUp(slug, to: yesterday) }
            }
            for _ in 0..<max(1, jobs) { startNext() }
            while await group.next() != nil { startNext() }
        }
    }

    /// One tenant's days from its last done day (at most `catchUpDays` back) to
    /// `yesterday`.
    func catchUp(_ slug: String, to yesterday: CalendarDate) async {
        do {
            let tenant = try await TenantDirectory(database: database).find(slug)
            let lastDone = try await database.withTenant(tenant.id) { tx in
                try await tx.query("""
                    SELECT max(d.as_of) FROM tenant_days d WHERE d.tenant_id = \(tenant.id) AND d.job = \(TenantDay.job)
                    """).scalar(CalendarDate?.self) ?? nil
            }
            if let lastDone, lastDone >= yesterday { return }
            let earliest = yesterday.adding(days: 1 - catchUpDays)
            let from = max(lastDone?.adding(days: 1) ?? yesterday, earliest)
            let summary = try await worker.run(
                dates: .range(from, yesterday), tenantSlug: slug, jobs: 1, onlyIfNotDone: true, mode: "serve")
            logger.info("tenant caught up", metadata: [
                "tenant": "\(slug)", "from": "\(from)", "to": "\(yesterday)", "done": "\(summary.done)",
                "failed": "\(summary.failed)",
            ])
        } catch {
            logger.error("tenant catch-up failed", metadata: ["tenant": "\(slug)", "error": "\(error)"])
        }
    }
}
