import CollectionsService
import Foundation
import Glibc
import Postgres
import Testing
import TestSupport

@Suite struct ServeTests {
    /// A TCP port nobody listens on right now.
    func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    func get(_ url: String) async -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = await readToEnd(out.fileHandleForReading)
        await waitForExit(process)
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    @Test func serveDoesEachTenantsYesterdayServesMetricsAndStopsOnSIGTERM() async throws {
        let fixture = try await ServiceFixture.make("serve")
        let east = try await fixture.tenant("east", timeZone: "Asia/Tokyo")
        let west = try await fixture.tenant("west", timeZone: "America/Los_Angeles")
        try await SyntheticBook.write(into: east, service: fixture.service, clients: 3)
        // The worker was last up four days ago: each tenant has its day done then.
        var yesterdays: [String: CalendarDate] = [:]
        for tenant in [east, west] {
            let yesterday = try await fixture.service.withTenant(tenant.id) { tx in
                try await tx.query("SELECT ((now() - interval '5 minutes') AT TIME ZONE \(tenant.timeZone))::date - 1").scalar(CalendarDate.self)!
            }
            yesterdays[tenant.slug] = yesterday
            let before = try await Executable.run(
                "collections-worker", ["run", "--tenant", tenant.slug, "--as-of", yesterday.adding(days: -3).description],
                databaseURL: fixture.database.url(as: .worker))
            #expect(before.status == 0, "\(before.stderr)")
        }
        let port = freePort()
        let process = Process()
        process.executableURL = Executable.url("collections-worker")
        process.arguments = ["serve", "--interval", "1", "--catch-up-days", "3", "--metrics-port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = fixture.database.url(as: .worker)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Each tenant catches up the 3 days it missed, up to its own local yesterday.
        var days: [String: [CalendarDate]] = [:]
        for _ in 0..<60 {
            for tenant in [east, west] {
                days[tenant.slug] = try await fixture.service.withTenant(tenant.id) { tx in
                    try await tx.query("SELECT as_of FROM tenant_days ORDER BY as_of").map { try $0.decode(CalendarDate.self, at: 0) }
                }
            }
            if days.values.allSatisfy({ $0.count == 4 }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        for tenant in [east, west] {
            let yesterday = yesterdays[tenant.slug]!
            #expect(days[tenant.slug] == (-3...0).map { yesterday.adding(days: $0) }, "\(tenant.slug)")
        }

        let metrics = await get("http://127.0.0.1:\(port)/metrics") ?? ""
        #expect(metrics.contains("collections_worker_tenant_days_total"), "\(metrics)")
        #expect(metrics.contains("result=\"done\""))
        #expect(metrics.contains("collections_worker_tenant_day_duration_seconds"))

        let stopping = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning, ContinuousClock.now - stopping < .seconds(15) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!process.isRunning, "did not stop within 15 s of SIGTERM")
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)
    }

    @Test func serveWorksOnAsManyTenantsAtOnceAsJobs() async throws {
        let fixture = try await ServiceFixture.make("servejobs")
        let first = try await fixture.tenant("a")
        let second = try await fixture.tenant("b")
        // The first tenant's day (first by slug) waits on a lock this test holds:
        // tenants done one at a time would never reach the second while it waits.
        let holder = try await fixture.database.connect()
        try await holder.simpleQuery("""
            CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Wait however long it takes (the worker's login has a lock_timeout).
                PERFORM set_config('lock_timeout', '0', true);
                PERFORM pg_advisory_xact_lock(4242);
                RETURN NEW;
            END $$;
            CREATE TRIGGER wait_for_test BEFORE INSERT ON tenant_days FOR EACH ROW
            WHEN (NEW.tenant_id = '\(first.id.uuidString.lowercased())') EXECUTE FUNCTION wait_for_test();
            SELECT pg_advisory_lock(4242);
            """)
        let process = Process()
        process.executableURL = Executable.url("collections-worker")
        process.arguments = ["serve", "--interval", "1", "--catch-up-days", "1", "--jobs", "2", "--metrics-port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = fixture.database.url(as: .worker)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func daysDone(_ tenant: Tenant) async throws -> Int {
            try await fixture.service.withTenant(tenant.id) { tx in
                try await tx.query("SELECT count(*) FROM tenant_days").scalar(Int.self) ?? 0
            }
        }
        // (The deadline only bounds a failing run; a passing one ends as soon as
        // the second tenant's day is stored.)
        var secondDone = 0
        for _ in 0..<120 where secondDone == 0 {
            secondDone = try await daysDone(second)
            if secondDone == 0 { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(secondDone == 1, "the second tenant waited for the first")
        #expect(try await daysDone(first) == 0, "the first tenant's day did not wait for the lock")
        try await holder.simpleQuery("SELECT pg_advisory_unlock(4242)")
        var firstDone = 0
        for _ in 0..<120 where firstDone == 0 {
            firstDone = try await daysDone(first)
            if firstDone == 0 { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(firstDone == 1)
        await holder.close()
        kill(process.processIdentifier, SIGTERM)
        await waitForExit(process)
        #expect(process.terminationStatus == 0)
    }
}
