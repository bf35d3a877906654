import CollectionsService
import Delivery
import Foundation
import Logging
import Postgres
import Testing
import TestSupport

/// The sender against a real SMTP server on loopback, connected as the worker's
/// login, one tenant's outbox at a time, at instants the test chooses.
@Suite struct OutboxDeliveryTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("outbox") }
    static let day = CalendarDate("2026-03-10")!
    static let zone = "America/Chicago"
    static let morning = DeliveryBook.instant(day, "10:00", zone)

    static func sender(_ fixture: ServiceFixture, _ sink: SMTPSink, limit: Int = 8) throws -> MessageSender {
        MessageSender(
            database: fixture.worker,
            configuration: .init(
                smtp: try SMTPSettings(url: sink.url), sms: nil, publicURL: URL(string: "https://collect.example")!,
                defaultFrom: "reminders@lender.example", retries: DeliveryRetries(base: 60, cap: 600, limit: limit)),
            logger: Logger(label: "test"))
    }

    @Test func aQueuedEmailIsSentOnceWithItsKeyAsMessageIDAndBecomesAContactNote() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone,
                                                 emails: ["ann@example.com", "bob@example.com"])
        let sender = try Self.sender(fixture, sink)
        let first = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(first.sent == 2)
        let again = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(again == DeliverySummary())
        let messages = try sink.messages().sorted { $0.to[0] < $1.to[0] }
        #expect(messages.map(\.to) == [["ann@example.com"], ["bob@example.com"]])
        #expect(Set(messages.map(\.message_id)).count == 2)
        #expect(messages[0].message_id.hasPrefix("<dunning.2026-03-10.email."))
        #expect(messages[0].message_id.hasSuffix(".\(tenant.id.uuidString.lowercased())@lender.example>"))
        #expect(messages[0].data.contains("List-Unsubscribe: <https://collect.example/opt-out/\(tenant.id.uuidString.lowercased())/"))
        let text = try #require(Self.decodedText(messages[0].data))
        #expect(text.contains("INV-C00000, due 2026-03-10: 123.45 USD (due today)"))
        #expect(text.contains("Lender \(tenant.slug)"))
        let notes = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT n.channel, n.direction, n.body FROM contact_notes n
                JOIN dunning_messages m ON m.tenant_id = \(tenant.id) AND m.note_id = n.id
                WHERE n.tenant_id = \(tenant.id) ORDER BY n.body
                """).decode((String, String, String).self)
        }
        #expect(notes.count == 2)
        #expect(notes.first?.0 == "email")
        #expect(notes.first?.1 == "outbound")
        #expect(notes.first?.2.contains("sent to ann@example.com") == true)
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["email sent 1"])
    }

    @Test func aTemporaryRefusalIsRetriedLaterAndTheMessageArrivesOnce() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["tempfail-1-cy@example.com"])
        let sender = try Self.sender(fixture, sink)
        let first = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(first.retried == 1)
        // Not again before its backoff (60 s scaled by 50-100 % jitter) has passed.
        let soon = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning.addingTimeInterval(20))
        #expect(soon == DeliverySummary())
        let later = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning.addingTimeInterval(61))
        #expect(later.sent == 1)
        #expect(try sink.messages().count == 1)
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["email sent 2"])
    }

    @Test func aRejectedAddressFailsTheMessageAndIsSuppressedForThatClient() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["reject-dee@example.com"])
        let sender = try Self.sender(fixture, sink)
        let first = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(first.failed == 1)
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["email failed 1 smtp_rejected"])
        let later = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning.addingTimeInterval(3600))
        #expect(later == DeliverySummary())
        #expect(try sink.messages().isEmpty)
        // The address's opt-out: the gate refuses the next day's message to it.
        let permission = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT p.granted, p.address, p.source FROM contact_permissions p
                WHERE p.tenant_id = \(tenant.id) AND p.channel = 'email'
                """).decode((Bool, String?, String).self)
        }
        #expect(permission.count == 1)
        #expect(permission.first?.0 == false)
        #expect(permission.first?.1 == "reject-dee@example.com")
        #expect(permission.first?.2.contains("550") == true)
    }

    @Test func aMessageKeepsFailingUntilTheLimitThenFailsWithTheLastReason() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["tempfail-9-eve@example.com"])
        let sender = try Self.sender(fixture, sink, limit: 3)
        var at = Self.morning
        var outcomes: [DeliverySummary] = []
        for _ in 0..<4 {
            outcomes.append(try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: at))
            at = at.addingTimeInterval(3600)
        }
        #expect(outcomes.map(\.retried) == [1, 1, 0, 0])
        #expect(outcomes.map(\.failed) == [0, 0, 1, 0])
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["email failed 3 retries_exhausted"])
        let reason = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT m.reason FROM dunning_messages m WHERE m.tenant_id = \(tenant.id)").scalar(String.self)
        }
        #expect(reason?.contains("3 attempts failed") == true)
        #expect(reason?.contains("451") == true)
    }

    @Test func aMessageDueAt0759InTheClientsZoneWaitsUntil0800() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["early@example.com"])
        let sender = try Self.sender(fixture, sink)
        let early = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                                at: DeliveryBook.instant(Self.day, "07:59", Self.zone))
        #expect(early == DeliverySummary())
        #expect(try sink.messages().isEmpty)
        let eight = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                                at: DeliveryBook.instant(Self.day, "08:00", Self.zone))
        #expect(eight.sent == 1)
        #expect(try sink.messages().count == 1)
    }

    @Test func aClientWhoseZoneChangedSinceTheDayWaitsForEightThere() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["moved@example.com"])
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("UPDATE clients c SET time_zone = 'Pacific/Honolulu' WHERE c.tenant_id = \(tenant.id)")
        }
        let sender = try Self.sender(fixture, sink)
        // 10:00 in Chicago is 06:00 in Honolulu: it waits for 08:00 there.
        let chicagoMorning = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(chicagoMorning.postponed == 1)
        #expect(try sink.messages().isEmpty)
        let hawaiiEight = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                                      at: DeliveryBook.instant(Self.day, "08:00", "Pacific/Honolulu"))
        #expect(hawaiiEight.sent == 1)
    }

    @Test func aHoldOrAnOptOutRecordedSinceTheDayIsRefusedAtSendTimeWithItsRule() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone,
                                                 emails: ["held@example.com", "quit@example.com", "late@example.com"])
        _ = try await ClientHolds(database: fixture.service, tenant: tenant.id)
            .place(clientRef: "C00000", kind: .attorney, startsOn: Self.day, actor: "collector")
        _ = try await ContactPermissions(database: fixture.service, tenant: tenant.id)
            .record(.init(channel: .email, address: "quit@example.com", granted: false, source: "phone call",
                          recordedAt: Self.morning.addingTimeInterval(-60)), clientRef: "C00001", actor: "collector")
        let sender = try Self.sender(fixture, sink)
        let pass = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                               at: DeliveryBook.instant(Self.day, "21:00", Self.zone).addingTimeInterval(-1))
        #expect(pass.sent == 1)
        #expect(pass.suppressed == 2)
        let outbox = try await DeliveryBook.outbox(fixture, tenant)
        #expect(outbox["C00000"] == ["email suppressed 0 hold_attorney"])
        #expect(outbox["C00001"] == ["email suppressed 0 opted_out"])
        #expect(try sink.messages().map(\.to) == [["late@example.com"]])
    }

    @Test func aMessageAboutInvoicesPaidDisputedPlacedOrOnAPlanSinceItsDayIsRefusedAtSendTime() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: [
            "paid@example.com", "disputed@example.com", "part@example.com", "plan@example.com", "placed@example.com",
        ])
        // Since the worker queued the day's reminders: C00000 paid, C00001 disputed all
        // of it, C00002 a part only (still sent), C00003 went on a plan, C00004 was placed.
        let invoices = Invoices(database: fixture.service, tenant: tenant.id)
        _ = try await Payments(database: fixture.service, tenant: tenant.id).post(PaymentRequest(
            clientRef: "C00000", reference: "PAID", amount: Money(amountMinor: 12_345, currency: "USD"),
            receivedOn: Self.day.adding(days: -1)), idempotencyKey: "PAID", actor: "test")
        _ = try await invoices.dispute("INV-C00001", on: Self.day, reason: "never received", actor: "collector")
        _ = try await invoices.dispute("INV-C00002", on: Self.day, amount: Money(amountMinor: 2_345, currency: "USD"),
                                       reason: "one item missing", actor: "collector")
        _ = try await PaymentPlans(database: fixture.service, tenant: tenant).create(
            .init(clientRef: "C00003", instalments: 2, every: .month, startOn: Self.day.adding(days: 7), madeOn: Self.day),
            actor: "collector")
        let agencies = Agencies(database: fixture.service, tenant: tenant.id)
        _ = try await agencies.create(name: "Recoveries", commissionBP: 1_000, actor: "test")
        _ = try await agencies.place(clientRef: "C00004", agency: "Recoveries", invoiceNumbers: ["INV-C00004"], on: Self.day,
                                     actor: "test")
        let sender = try Self.sender(fixture, sink)
        let pass = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(), at: Self.morning)
        #expect(pass.sent == 1)
        #expect(pass.suppressed == 4)
        let outbox = try await DeliveryBook.outbox(fixture, tenant)
        for ref in ["C00000", "C00001", "C00003", "C00004"] {
            #expect(outbox[ref] == ["email suppressed 0 nothing_to_collect"], "\(ref): \(outbox)")
        }
        #expect(try sink.messages().map(\.to) == [["part@example.com"]])
        let reasons = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT m.reason FROM dunning_messages m WHERE m.rule = 'nothing_to_collect' ORDER BY 1")
                .map { try $0.decode(String.self, at: 0) }
        }
        #expect(reasons.contains { $0.hasSuffix("INV-C00001 is disputed") }, "\(reasons)")
        #expect(reasons.contains { $0.hasSuffix("INV-C00003 is on a payment plan") }, "\(reasons)")
    }

    @Test func aMessageStillQueuedAfterItsDaysContactHoursFails() async throws {
        let fixture = try await Self.fixture.value
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: ["night@example.com"])
        let sender = try Self.sender(fixture, sink)
        let night = try await sender.deliverDue(tenant: tenant.id, mailer: sender.mailer(),
                                                at: DeliveryBook.instant(Self.day, "21:00", Self.zone))
        #expect(night.failed == 1)
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["email failed 0 contact_hours_ended"])
        #expect(try sink.messages().isEmpty)
    }

    /// The text part of a message the sink stored (base64, as EmailMessage writes it).
    static func decodedText(_ data: String) -> String? {
        guard let start = data.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        else { return nil }
        let rest = data[start.upperBound...]
        let encoded = rest.prefix { $0 != "-" }.replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
    }
}
