import AsyncHTTPClient
import CollectionsService
import Foundation
import NIOCore
import NIOHTTP1
import Postgres
import Testing
import TestSupport

/// The real `collections-server serve` process: it refuses a login that could
/// reach past row-level security, serves health, readiness, metrics and the
/// API on the port it prints, and on SIGTERM finishes the request in flight
/// before it exits 0.
@Suite struct ServerProcessTests {
    /// A started server and the port it printed.
    struct Running {
        var process: Process
        var port: Int
        var stderr: Pipe
    }

    static func start(databaseURL: String, arguments: [String] = []) async throws -> Running {
        let process = Process()
        process.executableURL = Executable.url("collections-server")
        process.arguments = ["serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let line = await firstLine(out.fileHandleForReading)
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            let problem = String(decoding: await readToEnd(err.fileHandleForReading), as: UTF8.self)
            throw ServiceError(.refused, "collections-server did not start: \(line) \(problem)")
        }
        return Running(process: process, port: port, stderr: err)
    }

    /// The first line a handle yields (up to 200 bytes), read on a thread of its own.
    static func firstLine(_ handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                var bytes: [UInt8] = []
                while bytes.count < 200 {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first, byte != 10 else { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }

    @Test func itRefusesASuperuserAndAnOwnerLogin() async throws {
        let database = try await TestDatabase.migrated("http_server_refuses")
        for (url, words) in [(database.url, "superuser"), (database.url(as: .migrate), "collections_owner")] {
            let result = try await Executable.run("collections-server", ["serve", "--port", "0"], databaseURL: url)
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains(words), "\(result.stderr)")
            #expect(!result.stdout.contains("listening"))
        }
    }

    @Test func itServesAndFinishesTheRequestInFlightOnSIGTERM() async throws {
        let fixture = try await HTTPFixture.make("http_server_process")
        let server = try await Self.start(databaseURL: fixture.service.database.url(as: .server))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(server.port)"
        do {
            for path in ["/healthz", "/readyz", "/openapi.yaml"] {
                let response = try await http.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
                #expect(response.status == .ok, "\(path)")
            }
            var listing = HTTPClientRequest(url: base + "/v1/clients")
            listing.headers.add(name: "Authorization", value: "Bearer \(fixture.a.key)")
            #expect(try await http.execute(listing, timeout: .seconds(10)).status == .ok)
            let metrics = try await http.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains("http_requests_total"), "\(text.prefix(500))")
            #expect(text.contains(#"route="/v1/clients""#))

            // An import that waits on a row another transaction is writing.
            let holder = try await fixture.service.database.connect()
            try await holder.simpleQuery("BEGIN")
            try await holder.query("""
                INSERT INTO clients (tenant_id, ref, name) VALUES (\(fixture.a.tenant.id), 'HELD', 'Held')
                """)
            var upload = HTTPClientRequest(url: base + "/v1/imports/clients")
            upload.method = .POST
            upload.headers.add(name: "Authorization", value: "Bearer \(fixture.a.key)")
            upload.headers.add(name: "Content-Type", value: "text/csv")
            upload.body = .bytes(ByteBuffer(string: "ref,name\nHELD,Held\nFREE,Free\n"))
            let inFlight = Task { try await http.execute(upload, timeout: .seconds(60)) }
            // Until the import is waiting on the held row.
            var waiting = false
            for _ in 0..<100 where !waiting {
                try await Task.sleep(for: .milliseconds(100))
                waiting = try await holder.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
                    """).scalar(Int.self) ?? 0 > 0
            }
            #expect(waiting, "the import never waited on the held row")
            server.process.terminate()  // SIGTERM
            try await Task.sleep(for: .milliseconds(500))
            #expect(server.process.isRunning, "the server exited with a request in flight")
            try await holder.simpleQuery("COMMIT")
            await holder.close()
            let answer = try await inFlight.value
            #expect(answer.status == .ok, "the in-flight import was not answered")
            await waitForExit(server.process)
            #expect(server.process.terminationReason == .exit)
            #expect(server.process.terminationStatus == 0)
        } catch {
            server.process.terminate()
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        let refs = try await Clients(database: fixture.service.service, tenant: fixture.a.tenant.id).list().items.map(\.ref)
        #expect(refs == ["FREE", "HELD"])
    }
}
