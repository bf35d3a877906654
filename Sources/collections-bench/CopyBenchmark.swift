import Foundation
import Postgres

/// Bulk load of a CSV file into a logged table with only its primary key:
/// `psql \copy` against our `copyIn`, streaming the same file from disk.
struct CopyBenchmark {
    let database: BenchDatabase
    let tools: Tools
    let work: WorkDirectory
    let rows: Int
    let runs: Int
    let log: Progress

    static let chunkSize = 1 << 20

    func run() async throws -> Comparison {
        guard let psql = tools.psql else { throw BenchError("psql was not located") }
        let file = work.file("invoices.csv")
        let generated = ContinuousClock.now
        let bytes = try CSVGenerator.write(rows: rows, to: file)
        log("COPY: wrote \(Format.integer(Double(rows))) rows (\(Format.bytes(bytes))) to \(file) in "
            + String(format: "%.1f s", (ContinuousClock.now - generated).seconds))

        var ours: [Measurement] = []
        var baseline: [Measurement] = []
        for index in 1...runs {
            for side in Side.order(ofRun: index) {
                try await database.reset(table: "bench_copy")
                switch side {
                case .baseline:
                    let theirs = try await runPsql(psql, file: file)
                    baseline.append(theirs)
                    log("COPY run \(index)/\(runs): psql \\copy \(Format.integer(theirs.rate)) rows/s")
                case .ours:
                    let mine = try await runOurs(file: file)
                    ours.append(mine)
                    log("COPY run \(index)/\(runs): ours \(Format.integer(mine.rate)) rows/s")
                }
            }
        }
        try await database.reset(table: "bench_copy")
        try? FileManager.default.removeItem(atPath: file)
        return Comparison(
            name: "COPY \(Format.integer(Double(rows))) rows", rows: rows, unit: "rows/s", baselineName: "psql \\copy",
            ours: ours, baseline: baseline)
    }

    /// Wall-clock time of the whole psql process (start and connection included, a
    /// few milliseconds), as ours includes connecting.
    private func runPsql(_ psql: String, file: String) async throws -> Measurement {
        let quoted = file.replacingOccurrences(of: "'", with: "''")
        let arguments = ["-X", "-v", "ON_ERROR_STOP=1", "-c", "\\copy bench_copy FROM '\(quoted)' WITH (FORMAT csv)"]
        let cpu = Machine.cpuSeconds(children: true)
        let output = try await ChildProcess.run(psql, arguments, environment: Tools.environment(for: database.configuration))
        let cpuUsed = Machine.cpuSeconds(children: true) - cpu
        guard output.succeeded else { throw BenchError("psql \\copy failed (\(output.failure))") }
        let reported = output.stdout.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("COPY ") }
            .flatMap { Int($0.dropFirst(5)) }
        guard reported == rows else {
            throw BenchError("psql \\copy reported \(reported.map(String.init) ?? "no row count") instead of \(rows) rows")
        }
        return Measurement(rate: Double(rows) / output.seconds, clientCPUMicrosPerOp: cpuUsed * 1e6 / Double(rows))
    }

    private func runOurs(file: String) async throws -> Measurement {
        let cpu = Machine.cpuSeconds()
        let start = ContinuousClock.now
        let connection = try await PostgresConnection.connect(database.configuration)
        let copied: Int
        do {
            copied = try await connection.copyIn("COPY bench_copy FROM STDIN WITH (FORMAT csv)") { writer in
                guard let handle = fopen(file, "rb") else {
                    throw BenchError("cannot open \(file): \(String(cString: strerror(errno)))")
                }
                defer { fclose(handle) }
                // One reused 1 MiB buffer: memory stays flat however large the file.
                var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
                while true {
                    let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, Self.chunkSize, handle) }
                    if count > 0 { try await writer.write(buffer[0..<count]) }
                    if count < Self.chunkSize {
                        if ferror(handle) != 0 { throw BenchError("cannot read \(file): \(String(cString: strerror(errno)))") }
                        break
                    }
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpuUsed = Machine.cpuSeconds() - cpu
        await connection.close()
        guard copied == rows else { throw BenchError("our COPY loaded \(copied) rows instead of \(rows)") }
        return Measurement(rate: Double(rows) / elapsed, clientCPUMicrosPerOp: cpuUsed * 1e6 / Double(rows))
    }
}

/// Invoice-like CSV rows matching `bench_copy`: id, tenant, client, number,
/// currency, amount in minor units, issue and due dates. Written through a
/// buffered stream, so generating a large file needs little memory.
enum CSVGenerator {
    static func write(rows: Int, to path: String) throws -> Int {
        guard let file = fopen(path, "wb") else {
            throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var random = SplitMix64(seed: 42)
        let tenants = (0..<1000).map { _ in Array(UUID().uuidString.lowercased().utf8) }
        let currencies = ["EUR", "USD", "GBP"].map { Array($0.utf8) }
        let start = CalendarDate(year: 2022, month: 1, day: 1)!
        let dates = (0..<1200).map { Array(start.adding(days: $0).description.utf8) }

        var line: [UInt8] = []
        line.reserveCapacity(1 << 20)
        func number(_ value: Int, width: Int = 0) {
            var digits: [UInt8] = []
            var rest = value
            repeat {
                digits.append(UInt8(48 + rest % 10))
                rest /= 10
            } while rest > 0
            if digits.count < width { line.append(contentsOf: repeatElement(48, count: width - digits.count)) }
            line.append(contentsOf: digits.reversed())
        }
        for id in 1...rows {
            number(id)
            line.append(44)
            line.append(contentsOf: tenants[random.next(in: 0...999)])
            line.append(44)
            line.append(contentsOf: "C-".utf8)
            number(random.next(in: 1...5000), width: 5)
            line.append(44)
            line.append(contentsOf: "INV-".utf8)
            number(id, width: 8)
            line.append(44)
            line.append(contentsOf: currencies[random.next(in: 0...2)])
            line.append(44)
            number(random.next(in: 100...100_000_000))
            line.append(44)
            let issued = random.next(in: 0...1000)
            line.append(contentsOf: dates[issued])
            line.append(44)
            line.append(contentsOf: dates[issued + random.next(in: 30...90)])
            line.append(10)
            if line.count >= (1 << 20) - 256 { try flush(&line, to: file, path: path) }
        }
        try flush(&line, to: file, path: path)
        guard fflush(file) == 0 else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
        return Int(ftell(file))
    }

    private static func flush(_ line: inout [UInt8], to file: UnsafeMutablePointer<FILE>, path: String) throws {
        let written = line.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == line.count else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
        line.removeAll(keepingCapacity: true)
    }
}
