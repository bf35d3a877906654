import CollectionsHTTP
import CollectionsService
import Crypto
import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import Synchronization
import Testing
import TestSupport

/// Texts through the provider's HTTP API (a stand-in that keeps the exact
/// requests), and the provider's signed callbacks on collections-server's router,
/// connected as the server's login.
@Suite struct SMSDeliveryTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("sms") }
    static let day = CalendarDate("2026-03-10")!
    static let zone = "America/New_York"
    static let morning = DeliveryBook.instant(day, "10:00", zone)
    static let token = "provider-auth-token"
    static let publicURL = "https://collect.example"

    /// Twilio's documented signature, written here from its description as the
    /// test's oracle (not the server's SMSSignature).
    static func twilioSignatureOracle(url: String, form: [(String, String)]) -> String {
        var data = url
        for (name, value) in form.sorted(by: { $0.0 < $1.0 }) { data += name + value }
        let key = SymmetricKey(data: Data(token.utf8))
        return Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: key)).base64EncodedString()
    }

    static func encoded(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    /// Sends the tenant's due texts through the stand-in at `port`.
    static func send(_ fixture: ServiceFixture, _ tenant: Tenant, port: Int, at: Date? = morning) async throws
        -> DeliverySummary
    {
        let settings = try SMSSettings(
            url: "http://AC123:\(token)@127.0.0.1:\(port)/2010-04-01/Accounts/AC123/Messages.json?from=%2B15550009999")
        let sender = MessageSender(
            database: fixture.worker,
            configuration: .init(smtp: nil, sms: SMSProvider(settings: settings), publicURL: URL(string: publicURL)!,
                                 defaultFrom: "reminders@lender.example"),
            logger: Logger(label: "test"))
        return try await sender.deliverDue(tenant: tenant.id, mailer: nil, at: at)
    }

    /// A callback as the provider posts it, signed with `signature` (default: right).
    static func callback(
        _ client: some TestClientProtocol, _ path: String, _ form: [(String, String)], signature: String? = nil
    ) async throws -> TestResponse {
        let sign = signature ?? twilioSignatureOracle(url: publicURL + path, form: form)
        return try await client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: sign],
            body: ByteBuffer(string: encoded(form)))
    }

    static func server(_ fixture: ServiceFixture) throws -> some ApplicationProtocol {
        let server = CollectionsDatabase(configuration: fixture.database.configuration(as: .server), maxConnections: 4)
        return Application(router: try LenderAPI.router(
            database: server, sms: SMSCallbackSettings(token: token, publicURL: publicURL)))
    }

    @Test func aTextGoesAsTheProvidersFormWithTheOutboxKeyAsItsIdempotencyKey() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: [nil], texted: [0])
        let provider = SMSProviderStandIn()
        try await Application(router: provider.router).test(.live) { client in
            let summary = try await Self.send(fixture, tenant, port: client.port!)
            #expect(summary.sent == 1)
        }
        let requests = provider.received.withLock { $0 }
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == "POST")
        #expect(request.path == "/2010-04-01/Accounts/AC123/Messages.json")
        #expect(request.headers["authorization"] == "Basic " + Data("AC123:\(Self.token)".utf8).base64EncodedString())
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.form.map(\.0) == ["To", "From", "Body", "StatusCallback"])
        let form = Dictionary(uniqueKeysWithValues: request.form)
        #expect(form["To"] == "+15550000001")
        #expect(form["From"] == "+15550009999")
        #expect(form["Body"] == "Lender \(tenant.slug): 123.45 USD is due today. Reply STOP to opt out.")
        #expect(form["StatusCallback"] == "\(Self.publicURL)/webhooks/sms/\(tenant.id.uuidString.lowercased())/receipts")
        let key = try #require(request.headers["i-twilio-idempotency-token"])
        #expect(key.hasPrefix("dunning.2026-03-10.sms."))
        #expect(key.hasSuffix(tenant.id.uuidString.lowercased()))
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["sms sent 1"])
    }

    @Test func aNumberTheProviderRefusesFailsTheMessageAndIsNotTextedAgain() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: [nil], texted: [0])
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("UPDATE dunning_messages m SET address = '+15550000400' WHERE m.tenant_id = \(tenant.id)")
            try await tx.execute("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                SELECT \(tenant.id), c.id, 'sms', '+15550000400', true, 'web form', now() - interval '400 days'
                FROM clients c WHERE c.tenant_id = \(tenant.id)
                """)
        }
        let provider = SMSProviderStandIn()
        try await Application(router: provider.router).test(.live) { client in
            let first = try await Self.send(fixture, tenant, port: client.port!)
            let second = try await Self.send(fixture, tenant, port: client.port!)
            #expect(first.failed == 1)
            #expect(second == DeliverySummary())
        }
        #expect(provider.received.withLock { $0.count } == 1)
        #expect(try await DeliveryBook.outbox(fixture, tenant)["C00000"] == ["sms failed 1 sms_rejected"])
    }

    @Test func aSignedReceiptUpdatesTheMessageAndARetriedOneChangesNothing() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: [nil], texted: [0])
        let provider = SMSProviderStandIn()
        try await Application(router: provider.router).test(.live) { client in
            _ = try await Self.send(fixture, tenant, port: client.port!)
        }
        let path = "/webhooks/sms/\(tenant.id.uuidString.lowercased())/receipts"
        let sid = "SM" + String(format: "%032d", 1)
        try await Self.server(fixture).test(.router) { client in
            let delivered = [("MessageSid", sid), ("MessageStatus", "delivered"), ("AccountSid", "AC123")]
            let first = try await Self.callback(client, path, delivered)
            let retried = try await Self.callback(client, path, delivered)
            #expect(first.status == .ok)
            #expect(retried.status == .ok)
        }
        let report = try await DeliveryReport.make(database: fixture.service, tenant: tenant, on: Self.day)
        #expect(report.messages.first { $0.channel == "sms" }?.receipt == "delivered")
        let callbacks = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT count(*) FROM sms_callbacks s WHERE s.tenant_id = \(tenant.id)").scalar(Int.self)
        }
        #expect(callbacks == 1)
    }

    @Test func aForgedOrMissingSignatureGets401AndChangesNothing() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await DeliveryBook.make(fixture, day: Self.day, zone: Self.zone, emails: [nil], texted: [0])
        let path = "/webhooks/sms/\(tenant.id.uuidString.lowercased())/inbound"
        let stop = [("MessageSid", "SMforged"), ("From", "+15550000001"), ("Body", "STOP")]
        try await Self.server(fixture).test(.router) { client in
            let forged = try await Self.callback(client, path, stop, signature: Self.twilioSignatureOracle(url: path, form: stop))
            #expect(forged.status == .unauthorized)
            #expect(forged.headers[.contentType] == "application/problem+json")
            let response = try await client.execute(
                uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: Self.encoded(stop)))
            #expect(response.status == .unauthorized)
        }
        let permissions = try await ContactPermissions(database: fixture.service, tenant: tenant.id).list(clientRef: "C00000")
        #expect(permissions.allSatisfy { $0.granted })
    }

    @Test func aSTOPReplyRevokesConsentBeforeTheAnswerConfirmsOnceAndTheNextTextIsSuppressed() async throws {
        let fixture = try await Self.fixture.value
        // Today, where it is about noon: the STOP is recorded now, and the text
        // is checked now.
        let (zone, today) = SenderKillTests.noonZone()
        let tenant = try await DeliveryBook.make(fixture, day: today, zone: zone, emails: [nil], texted: [0])
        let path = "/webhooks/sms/\(tenant.id.uuidString.lowercased())/inbound"
        let stop = [("MessageSid", "SMin1"), ("From", "+15550000001"), ("To", "+15550009999"), ("Body", " Stop! ")]
        try await Self.server(fixture).test(.router) { client in
            let first = try await Self.callback(client, path, stop)
            #expect(first.status == .ok)
            let said = String(buffer: first.body)
            #expect(said.contains("<Message>Lender \(tenant.slug): you will get no more texts from us."))
            // The provider retries: no second confirmation, no second note.
            let again = try await Self.callback(client, path, stop)
            #expect(String(buffer: again.body).hasSuffix("<Response/>"))
        }
        let provider = SMSProviderStandIn()
        try await Application(router: provider.router).test(.live) { client in
            let summary = try await Self.send(fixture, tenant, port: client.port!, at: nil)
            #expect(summary.suppressed == 1)
        }
        #expect(provider.received.withLock { $0.isEmpty })
        let outbox = try await DeliveryBook.outbox(fixture, tenant)
        #expect(outbox["C00000"]?.contains("sms suppressed 0 no_sms_consent") == true)
        let notes = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT count(*) FROM contact_notes n WHERE n.tenant_id = \(tenant.id) AND n.direction = 'inbound'
                """).scalar(Int.self)
        }
        #expect(notes == 1)
    }
}
