import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// `collections-worker deliver`, the program itself, SIGKILLed at random points
/// while it sends 1,000 emails into a real SMTP server: what it guarantees is at
/// least once with stable ids, so every message arrives, the store says each was
/// sent once with one note, and a kill can make at most one duplicate (the one
/// message in flight of its one sender).
@Suite struct SenderKillTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("kills") }

    /// A zone where it is about noon now, so that today's messages are inside
    /// their contact hours while the test runs, whatever the hour of the machine.
    static func noonZone() -> (zone: String, today: CalendarDate) {
        let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).hour!
        var offset = 12 - hour
        if offset > 14 { offset -= 24 }
        if offset < -12 { offset += 24 }
        let zone = offset == 0 ? "Etc/GMT" : offset > 0 ? "Etc/GMT-\(offset)" : "Etc/GMT+\(-offset)"
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: zone)!, from: Date())
        return (zone, CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!)
    }

    @Test func killedTenTimesTheSenderStillDeliversEveryMessageWithAtMostOneDuplicatePerKill() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let (zone, today) = Self.noonZone()
        let count = 1_000
        let tenant = try await DeliveryBook.make(
            fixture, day: today, zone: zone, emails: (0..<count).map { "client\($0)@example.com" })
        let arguments = ["deliver", "--once", "--senders", "1", "--tenant", tenant.slug, "--smtp-url", sink.url,
                         "--public-url", "https://collect.example", "--mail-from", "reminders@lender.example"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = fixture.database.url(as: .worker)
        var kills = 0
        while kills < 10 {
            let process = Process()
            process.executableURL = Executable.url("collections-worker")
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            await waitForExit(process)
            if try sink.messages().count >= count { break }
        }
        let last = try await Executable.run("collections-worker", arguments, databaseURL: fixture.database.url(as: .worker))
        #expect(last.status == 0, "\(last.stderr)")
        let received = try sink.messages()
        let ids = Dictionary(grouping: received, by: \.message_id)
        print("sender kills: \(kills) SIGKILLs, \(received.count) messages received, \(received.count - ids.count) duplicates")
        #expect(ids.count == count, "every message arrives")
        #expect(received.count - ids.count <= kills, "\(received.count - ids.count) duplicates after \(kills) kills")
        #expect(ids.values.allSatisfy { Set($0.map(\.to)).count == 1 }, "one id, one recipient")
        #expect(kills >= 1, "the sender was killed while it worked")
        let (sent, notes) = try await fixture.service.withTenant(tenant.id) { tx in
            let sent = try await tx.query("""
                SELECT count(*) FROM dunning_messages m WHERE m.tenant_id = \(tenant.id) AND m.status = 'sent'
                """).scalar(Int.self) ?? 0
            let notes = try await tx.query("""
                SELECT count(*) FROM contact_notes n WHERE n.tenant_id = \(tenant.id) AND n.direction = 'outbound'
                  AND n.channel = 'email'
                """).scalar(Int.self) ?? 0
            return (sent, notes)
        }
        #expect(sent == count)
        #expect(notes == count)
    }
}
