import Foundation
import Postgres

/// Single-row autocommit INSERTs of an invoice-like row: N clients for S seconds,
/// our layer against `pgbench -M prepared`, alternately.
///
/// Both sides send the same statement text with the same seven parameters, so the
/// server does the same work and the ratio shows the client's cost: pgbench's
/// parameters are untyped text the server infers from the columns, ours carry the
/// types the layer binds (uuid, text, bigint, integer), which the server reads the same.
struct InsertBenchmark {
    let database: BenchDatabase
    let tools: Tools
    let work: WorkDirectory
    let clients: Int
    let seconds: Int
    let runs: Int
    let log: Progress

    /// One tenant for the whole run, as a pgbench `-D` string variable can only be fixed.
    static let tenant = UUID(uuidString: "6f1c2a4e-8d3b-4f0a-9c5e-1b2d3e4f5a6b")!
    static let currency = "EUR"

    static let pgbenchScript = """
        \\set client random(1, 5000)
        \\set number random(1, 1000000000)
        \\set amount random(100, 100000000)
        \\set issued random(0, 1000)
        \\set due random(1030, 1120)
        INSERT INTO bench_invoices (tenant_id, client_ref, number, currency, amount_minor, issued_on, due_on) \
        VALUES (:tenant, :client, :number, :currency, :amount, date '2024-01-01' + :issued::int, date '2024-01-01' + :due::int);

        """

    func run() async throws -> Comparison {
        guard let pgbench = tools.pgbench else { throw BenchError("pgbench was not located") }
        let script = work.file("insert.sql")
        do {
            try Self.pgbenchScript.write(toFile: script, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write the pgbench script \(script): \(error.localizedDescription)")
        }
        var ours: [Measurement] = []
        var baseline: [Measurement] = []
        // Alternating, and the side that goes first alternates too (B O, O B, B O, ...):
        // a machine that slows down or speeds up over the runs favours neither side.
        for index in 1...runs {
            for side in Side.order(ofRun: index) {
                try await database.reset(table: "bench_invoices")
                switch side {
                case .baseline:
                    let theirs = try await runPgbench(pgbench, script: script)
                    baseline.append(theirs)
                    log("INSERT run \(index)/\(runs): pgbench -M prepared \(Format.integer(theirs.rate)) tps")
                case .ours:
                    let mine = try await runOurs()
                    ours.append(mine)
                    log("INSERT run \(index)/\(runs): ours \(Format.integer(mine.rate)) tps")
                }
            }
        }
        try await database.reset(table: "bench_invoices")
        return Comparison(
            name: "single-row INSERT, \(clients) clients, \(seconds) s", clients: clients, seconds: seconds,
            unit: "tps", baselineName: "pgbench -M prepared", ours: ours, baseline: baseline)
    }

    // MARK: pgbench

    private func runPgbench(_ pgbench: String, script: String) async throws -> Measurement {
        let arguments = [
            "-n", "-M", "prepared", "-c", "\(clients)", "-j", "\(clients)", "-T", "\(seconds)",
            "-D", "tenant=\(Self.tenant.uuidString.lowercased())", "-D", "currency=\(Self.currency)",
            "-f", script,
        ]
        let cpu = Machine.cpuSeconds(children: true)
        let output = try await ChildProcess.run(pgbench, arguments, environment: Tools.environment(for: database.configuration))
        let cpuUsed = Machine.cpuSeconds(children: true) - cpu
        guard output.succeeded else { throw BenchError("pgbench failed (\(output.failure))") }
        guard let tps = Self.parseTPS(output.stdout) else {
            throw BenchError("no \"tps = ... (without initial connection time)\" in pgbench's output: \(output.failure)")
        }
        if let failed = Self.parseCount("number of failed transactions:", in: output.stdout), failed > 0 {
            throw BenchError("pgbench reported \(failed) failed transactions")
        }
        guard let transactions = Self.parseCount("number of transactions actually processed:", in: output.stdout),
              transactions > 0 else {
            throw BenchError("pgbench processed no transactions: \(output.failure)")
        }
        return Measurement(rate: tps, clientCPUMicrosPerOp: cpuUsed * 1e6 / Double(transactions))
    }

    /// `tps = 12345.678901 (without initial connection time)`
    static func parseTPS(_ output: String) -> Double? {
        for line in output.split(separator: "\n") where line.contains("without initial connection time") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = line[line.index(after: equals)...].split(separator: " ").first
            if let value, let tps = Double(value) { return tps }
        }
        return nil
    }

    /// `number of failed transactions: 0 (0.000%)` (PostgreSQL 15+),
    /// `number of transactions actually processed: 120345`
    static func parseCount(_ label: String, in output: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix(label) {
            return line.dropFirst(label.count).split(separator: " ").first.flatMap { Int($0) }
        }
        return nil
    }

    // MARK: Ours

    /// N connections, each in its own task, inserting until the shared deadline;
    /// like pgbench, the clock starts once every client is connected.
    private func runOurs() async throws -> Measurement {
        let configuration = database.configuration
        var connections: [PostgresConnection] = []
        do {
            for _ in 0..<clients { connections.append(try await PostgresConnection.connect(configuration)) }
        } catch {
            for connection in connections { await connection.close() }
            throw error
        }
        let cpu = Machine.cpuSeconds()
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let result: Result<Int, any Error> = await withTaskGroup(of: Result<Int, any Error>.self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask {
                    do {
                        // On the connection's own thread, as a pooled borrower runs: no thread hop per query.
                        return .success(try await withTaskExecutorPreference(connection.executor) {
                            try await Self.insertLoop(on: connection, seed: UInt64(index + 1), until: deadline)
                        })
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var total = 0
            var failure: (any Error)? = nil
            for await outcome in group {
                switch outcome {
                case .success(let count): total += count
                case .failure(let error): failure = failure ?? error
                }
            }
            if let failure { return .failure(failure) }
            return .success(total)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpuUsed = Machine.cpuSeconds() - cpu
        for connection in connections { await connection.close() }
        let inserted = try result.get()

        // Every INSERT we counted must be in the table, or the figure is fiction.
        let stored = try await database.count(table: "bench_invoices")
        guard stored == inserted else {
            throw BenchError("our INSERT run counted \(inserted) rows but the table holds \(stored)")
        }
        return Measurement(rate: Double(inserted) / elapsed, clientCPUMicrosPerOp: cpuUsed * 1e6 / Double(max(inserted, 1)))
    }

    private static func insertLoop(on connection: PostgresConnection, seed: UInt64, until deadline: ContinuousClock.Instant) async throws -> Int {
        var random = SplitMix64(seed: seed)
        let tenant = Self.tenant
        let currency = Self.currency
        var count = 0
        while ContinuousClock.now < deadline {
            let client = String(random.next(in: 1...5000))
            let number = String(random.next(in: 1...1_000_000_000))
            let amount = random.next(in: 100...100_000_000)
            let issued = Int32(random.next(in: 0...1000))
            let due = Int32(random.next(in: 1030...1120))
            try await connection.execute("""
                INSERT INTO bench_invoices (tenant_id, client_ref, number, currency, amount_minor, issued_on, due_on) \
                VALUES (\(tenant), \(client), \(number), \(currency), \(amount), date '2024-01-01' + \(issued)::int, date '2024-01-01' + \(due)::int)
                """)
            count += 1
        }
        return count
    }
}

/// A small, fast generator: the benchmark should time the database, not the RNG.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
