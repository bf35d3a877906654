import ArgumentParser
import CollectionsCommandLine
import CollectionsHTTP
import CollectionsService
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `collections-server serve`: checks its login and the schema, then serves
/// until SIGTERM or SIGINT, when it stops taking connections, lets the
/// requests in flight finish, and closes its database pool.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the lender HTTP API (and /healthz, /readyz, /metrics, /openapi.yaml).",
        discussion: """
            Connect as the server's login (collections_server_login, a NOINHERIT member of
            collections_app only); the server refuses a superuser, a BYPASSRLS role and any member
            of collections_owner, and a database not migrated to this version. Every /v1 request
            needs Authorization: Bearer ck_... (collections-admin api-key create).
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Database connections in the pool.") var connections = 8
    @Option(name: .customLong("max-body-bytes"), help: "Largest JSON body.") var maxBody = 1 << 20
    @Option(name: .customLong("max-import-bytes"), help: "Largest CSV import body.") var maxImport = 20 << 20
    @Option(name: .customLong("rate-limit"), help: "Requests per second per API key, on average.") var rate: Double = 50
    @Option(help: "Requests per API key at once before the rate applies.") var burst = 100
    @Option(name: .customLong("request-timeout"), help: "Seconds a request may take (imports: 10x).") var timeout = 30
    @Option(name: .customLong("sms-url"),
            help: "The SMS provider's URL as the worker has it; its token checks the provider's signed callbacks (default: $COLLECTIONS_SMS_URL; none: callbacks get 404).")
    var smsURL: String?
    @Option(name: .customLong("public-url"),
            help: "This server's public address, which the provider signs its callbacks with (default: $COLLECTIONS_PUBLIC_URL, else http://127.0.0.1:PORT).")
    var publicURL: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1-256") }
        guard rate > 0, burst >= 1 else { throw ValidationError("--rate-limit and --burst must be positive") }
        guard timeout >= 1 else { throw ValidationError("--request-timeout must be at least 1") }
    }

    /// The provider's token, from the same URL the worker sends with.
    func smsCallbacks() throws -> SMSCallbackSettings? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = smsURL ?? environment["COLLECTIONS_SMS_URL"], !text.isEmpty else { return nil }
        guard let parts = URLComponents(string: text), let token = parts.password, !token.isEmpty else {
            throw ValidationError("--sms-url: give it as the worker has it, https://ACCOUNT:TOKEN@host/...")
        }
        let base = publicURL ?? environment["COLLECTIONS_PUBLIC_URL"] ?? "http://127.0.0.1:\(port)"
        return SMSCallbackSettings(token: token.removingPercentEncoding ?? token, publicURL: base)
    }

    func run() async throws {
        var logger = Logger(label: "collections-server")
        logger.logLevel = .info
        try await reportingFailures(database, connections: connections) { db in
            try await db.requireLeastPrivilege()
            try await db.requireCurrentSchema()
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let limits = HTTPLimits(
                maxJSONBody: maxBody, maxImportBody: maxImport, requestsPerSecond: rate, burst: burst,
                requestTimeout: .seconds(timeout), importTimeout: .seconds(timeout * 10))
            let router = try LenderAPI.router(database: db, limits: limits, registry: registry, sms: try smsCallbacks())
            let (host, port, startLogger) = (host, port, logger)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: "collections-server"),
                onServerRunning: { channel in
                    let address = channel.localAddress.map { "\($0)" } ?? "\(host):\(port)"
                    startLogger.info("collections-server listening", metadata: ["address": "\(address)"])
                    // For scripts that start it on port 0: the port it got, on stdout, at once.
                    if let port = channel.localAddress?.port {
                        FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
                    }
                },
                logger: logger)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            logger.info("collections-server stopped; closing the database pool")
        }
    }
}
