import AsyncHTTPClient
import CollectionsService
import Delivery
import Foundation
import Postgres
import Testing
import TestSupport

/// Lenders' webhooks end to end: facts posted through the service write events in
/// their own transactions, and the sender, connected as the worker's login,
/// delivers them to a real HTTP receiver on loopback, signed so that a Standard
/// Webhooks receiver accepts them.
@Suite struct WebhookTests {
    static let fixture = Task { try await ServiceFixture.make("webhooks") }

    /// Retries after a second, then every minute, given up a day after the first
    /// failure: the tests move `now` instead of waiting.
    static let policy = WebhookRetryPolicy(
        delays: [.seconds(1)], thenEvery: .seconds(60), giveUpAfter: .seconds(24 * 3600), jitter: 0, timeout: .seconds(5))

    /// A tenant with a client and an endpoint at `receiver`, and the endpoint's secret.
    func lender(_ fixture: ServiceFixture, receiver: WebhookReceiver, events: [WebhookEventType] = [])
        async throws -> (tenant: Tenant, endpoint: CreatedWebhookEndpoint) {
        let tenant = try await fixture.tenant("wh")
        _ = try await Clients(database: fixture.service, tenant: tenant.id).create(
            NewClient(ref: "C-1", name: "Ann Client"), actor: "test")
        let endpoint = try await WebhookEndpoints(database: fixture.service, tenant: tenant.id).create(
            url: receiver.url, eventTypes: events, actor: "test")
        return (tenant, endpoint)
    }

    /// Posts a payment the way the API and the importer do (`Payments.post`, the one posting path).
    @discardableResult
    func post(_ reference: String, minor: Int64, tenant: Tenant, _ fixture: ServiceFixture) async throws -> PaymentSummary {
        try await Payments(database: fixture.service, tenant: tenant.id).post(
            PaymentRequest(clientRef: "C-1", reference: reference, amount: Money(amountMinor: minor, currency: "USD"),
                           receivedOn: CalendarDate("2026-03-02")!),
            idempotencyKey: reference, actor: "test")
    }

    func sender(_ database: CollectionsDatabase, policy: WebhookRetryPolicy = Self.policy) -> WebhookSender {
        WebhookSender(database: database, httpClient: HTTPClient.shared, policy: policy)
    }

    /// The body's `data` of a received request, as JSON.
    func data(of request: WebhookReceiver.Received) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
        return object?["data"] as? [String: Any] ?? [:]
    }

    /// The deliveries' states of `tenant`, as its own transaction sees them.
    func deliveries(_ tenant: Tenant, _ fixture: ServiceFixture) async throws -> [String] {
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT status FROM webhook_deliveries WHERE tenant_id = \(tenant.id) ORDER BY status")
                .map { try $0.decode(String.self, at: 0) }
        }
    }

    /// The Python package `standardwebhooks` (the specification's reference
    /// library), when it is installed: nil when it is not, else whether it verified
    /// and what it said.
    func referenceLibraryVerifies(_ request: WebhookReceiver.Received, secret: String) throws -> (Bool, String)? {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import json, sys
            from standardwebhooks import Webhook
            Webhook(sys.argv[1]).verify(sys.argv[2], json.loads(sys.argv[3]))
            """, secret, request.body, String(decoding: try JSONEncoder().encode(request.headers), as: UTF8.self)]
        let said = Pipe()
        check.standardInput = FileHandle.nullDevice
        check.standardOutput = FileHandle.nullDevice
        check.standardError = said
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import standardwebhooks"]
        probe.standardInput = FileHandle.nullDevice
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { return nil }
        try check.run()
        let text = String(decoding: said.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        return (check.terminationStatus == 0, text)
    }

    @Test func aPostedPaymentIsDeliveredOnceSignedAsStandardWebhooksVerifiesIt() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, endpoint) = try await lender(fixture, receiver: receiver, events: [.paymentPosted])
        let posted = try await post("P-1", minor: 12_345, tenant: tenant, fixture)
        // The same request again (a client's retry) is the same fact: no second event.
        try await post("P-1", minor: 12_345, tenant: tenant, fixture)

        let summary = try await sender(fixture.worker).sendDue(tenant: tenant.id)
        #expect(summary == WebhookSendSummary(delivered: 1))

        let requests = try receiver.requests()
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.headers["content-type"] == "application/json")
        let id = try #require(request.headers["webhook-id"])
        #expect(id.range(of: "^msg_[0-9a-f]{32}$", options: .regularExpression) != nil, "\(id)")
        #expect(throws: Never.self) {
            try StandardWebhooksOracle.verify(body: Data(request.body.utf8), headers: request.headers,
                                              secret: endpoint.secret)
        }
        // Signed with another secret, or with the body changed, it would not verify.
        #expect(throws: StandardWebhooksOracle.Refusal.noMatchingSignature) {
            try StandardWebhooksOracle.verify(body: Data((request.body + " ").utf8), headers: request.headers,
                                              secret: endpoint.secret)
        }
        if let (verified, said) = try referenceLibraryVerifies(request, secret: endpoint.secret) {
            #expect(verified, "the standardwebhooks package refused the request: \(said)")
        }

        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["type"] as? String == "payment.posted")
        #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
        let payment = try data(of: request)
        #expect(payment["payment_id"] as? String == posted.payment.id.uuidString.lowercased())
        #expect(payment["client_ref"] as? String == "C-1")
        #expect(payment["reference"] as? String == "P-1")
        #expect(payment["amount_minor"] as? Int == 12_345)
        #expect(payment["currency"] as? String == "USD")
        #expect(payment["received_on"] as? String == "2026-03-02")
        #expect(try await deliveries(tenant, fixture) == ["delivered"])
        // Nothing is due any more.
        #expect(try await sender(fixture.worker).sendDue(tenant: tenant.id) == WebhookSendSummary())
    }

    @Test func aReceiverBackAfterFailingGetsEveryEventUnderOneWebhookIDEach() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver)
        for number in 1...3 { try await post("P-\(number)", minor: Int64(100 * number), tenant: tenant, fixture) }

        try receiver.setDown(true)
        let sender = sender(fixture.worker)
        var now = Date()
        // Down: each call tries the endpoint once, and leaves the rest for later.
        for _ in 1...3 {
            let summary = try await sender.sendDue(tenant: tenant.id, now: now)
            #expect(summary == WebhookSendSummary(retried: 1))
            now += 3600
        }
        try receiver.setDown(false)
        #expect(try await sender.sendDue(tenant: tenant.id, now: now) == WebhookSendSummary(delivered: 3))

        let requests = try receiver.requests()
        #expect(requests.filter { $0.status == 503 }.count == 3)
        var ids: [String: Set<String>] = [:]
        var delivered: [String: Int] = [:]
        for request in requests {
            let reference = try data(of: request)["reference"] as? String ?? "?"
            ids[reference, default: []].insert(request.headers["webhook-id"] ?? "")
            if request.status == 200 { delivered[reference, default: 0] += 1 }
        }
        #expect(delivered == ["P-1": 1, "P-2": 1, "P-3": 1])
        #expect(ids.values.allSatisfy { $0.count == 1 }, "\(ids)")
        #expect(Set(ids.values.flatMap { $0 }).count == 3)
        #expect(try await deliveries(tenant, fixture) == ["delivered", "delivered", "delivered"])
    }

    @Test func aDayOfFailuresFailsTheDeliveryAndDisablesTheEndpointUntilAReplayDeliversIt() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, created) = try await lender(fixture, receiver: receiver)
        let endpoints = WebhookEndpoints(database: fixture.service, tenant: tenant.id)
        try await post("P-1", minor: 500, tenant: tenant, fixture)
        try await post("P-2", minor: 600, tenant: tenant, fixture)
        try receiver.setDown(true)
        let sender = sender(fixture.worker)
        let start = Date()

        // P-1 first fails now; P-2 waits (the endpoint failed in this call).
        #expect(try await sender.sendDue(tenant: tenant.id, now: start) == WebhookSendSummary(retried: 1))
        // Just short of a day: P-2 first fails, and is retried.
        #expect(try await sender.sendDue(tenant: tenant.id, now: start + 24 * 3600 - 60) == WebhookSendSummary(retried: 1))
        // A day after P-1 first failed (and a second: the database keeps microseconds), it fails for good.
        #expect(try await sender.sendDue(tenant: tenant.id, now: start + 24 * 3600 + 1) == WebhookSendSummary(failed: 1))

        let disabled = try #require(try await endpoints.list().first)
        #expect(disabled.id == created.endpoint.id)
        #expect(disabled.status == .disabled)
        #expect(disabled.disabledReason?.contains("the endpoint answered 503") == true, "\(disabled.disabledReason ?? "")")
        // P-2, not a day in failing, failed with its endpoint; a fact while disabled is recorded failed for it.
        #expect(try await deliveries(tenant, fixture) == ["failed", "failed"])
        try await post("P-3", minor: 700, tenant: tenant, fixture)
        #expect(try await deliveries(tenant, fixture) == ["failed", "failed", "failed"])
        #expect(try await sender.sendDue(tenant: tenant.id, now: start + 48 * 3600) == WebhookSendSummary())

        try receiver.setDown(false)
        let queued = try await endpoints.replay(created.endpoint.id, actor: "test")
        #expect(queued == 3)
        #expect(try await endpoints.list().first?.status == .active)
        #expect(try await sender.sendDue(tenant: tenant.id) == WebhookSendSummary(delivered: 3))
        let delivered = try receiver.requests().filter { $0.status == 200 }
        #expect(Set(try delivered.map { try data(of: $0)["reference"] as? String ?? "" }) == ["P-1", "P-2", "P-3"])
    }

    @Test func twoSendersAtOnceNeverDeliverOneEventTwice() async throws {
        let fixture = try await Self.fixture.value
        // Each answer takes a while, so the two senders overlap throughout.
        let receiver = try await WebhookReceiver(delay: 0.05)
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver)
        for number in 1...20 { try await post("P-\(number)", minor: Int64(100 + number), tenant: tenant, fixture) }

        // Two senders of their own, each with its own pool, as two worker processes.
        let first = CollectionsDatabase(configuration: fixture.database.configuration(as: .worker))
        let second = CollectionsDatabase(configuration: fixture.database.configuration(as: .worker))
        async let a = sender(first).sendDue(tenant: tenant.id)
        async let b = sender(second).sendDue(tenant: tenant.id)
        let (one, other) = try await (a, b)
        await first.close()
        await second.close()

        #expect(one.delivered + other.delivered == 20, "\(one) / \(other)")
        let ids = try receiver.requests().map { $0.headers["webhook-id"] ?? "" }
        #expect(ids.count == 20)
        #expect(Set(ids).count == 20)
    }

    @Test func aTenantsSenderNeverSeesAnotherTenantsDeliveries() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (mine, _) = try await lender(fixture, receiver: receiver)
        let (theirs, _) = try await lender(fixture, receiver: receiver)
        try await post("MINE-1", minor: 100, tenant: mine, fixture)
        try await post("THEIRS-1", minor: 200, tenant: theirs, fixture)

        #expect(try await sender(fixture.worker).sendDue(tenant: mine.id) == WebhookSendSummary(delivered: 1))
        let references = try receiver.requests().map { try data(of: $0)["reference"] as? String ?? "" }
        #expect(references == ["MINE-1"])
        #expect(try await deliveries(theirs, fixture) == ["pending"])
        // As the worker's login with one tenant set, the other's rows do not exist.
        let visible = try await fixture.worker.withTenant(mine.id) { tx in
            try await tx.query("SELECT count(*) FROM webhook_deliveries").scalar(Int.self)
        }
        #expect(visible == 1)
    }
    @Test func theWorkersDayTellsOfABrokenPromiseAndAnInvoiceOverdueOnceEach() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver, events: [.promiseBroken, .invoiceOverdue])
        let usd = { (minor: Int64) in Money(amountMinor: minor, currency: "USD") }
        _ = try await Invoices(database: fixture.service, tenant: tenant.id).create(
            NewInvoice(clientRef: "C-1", number: "INV-1", amount: usd(10_000), issuedOn: CalendarDate("2026-02-01")!,
                       dueOn: CalendarDate("2026-03-01")!), actor: "test")
        _ = try await ContactNotes(database: fixture.service, tenant: tenant.id).add(
            NewContactNote(clientRef: "C-1", channel: .call, outcome: .promiseToPay, promiseAmount: usd(5_000),
                           promiseDate: CalendarDate("2026-02-20")!, notedAt: Date(timeIntervalSince1970: 1_770_681_600)),
            actor: "test")

        // The day after the due date, as the worker runs it; then again (a rerun).
        let day = TenantDay(database: fixture.worker)
        for _ in 1...2 {
            _ = try await day.run(tenant: tenant, asOf: CalendarDate("2026-03-02")!, runID: nil, onlyIfNotDone: false)
        }
        #expect(try await sender(fixture.worker).sendDue(tenant: tenant.id) == WebhookSendSummary(delivered: 2))

        let requests = try receiver.requests()
        let bodies = try requests.map { try #require(try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]) }
        #expect(bodies.compactMap { $0["type"] as? String }.sorted() == ["invoice.overdue", "promise.broken"])
        let overdue = try #require(bodies.first { $0["type"] as? String == "invoice.overdue" }?["data"] as? [String: Any])
        #expect(overdue["invoice_number"] as? String == "INV-1")
        #expect(overdue["balance_minor"] as? Int == 10_000)
        #expect(overdue["due_on"] as? String == "2026-03-01")
        let broken = try #require(bodies.first { $0["type"] as? String == "promise.broken" }?["data"] as? [String: Any])
        #expect(broken["client_ref"] as? String == "C-1")
        #expect(broken["promised_minor"] as? Int == 5_000)
        #expect(broken["paid_minor"] as? Int == 0)
    }

    @Test func aMessageMarkedSentIsToldOnceWithItsDayAndStep() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver, events: [.messageSent])
        // The outbox's row as the day queues it, then marked sent as the sender marks it (twice: a retry).
        try await fixture.worker.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step, template,
                                              address, time_zone, send_from, send_until)
                SELECT \(tenant.id), c.id, 'email', DATE '2026-03-03', 1, 'due today', 'reminder_due', 'ann@example.com',
                       'UTC', TIMESTAMPTZ '2026-03-03 08:00Z', TIMESTAMPTZ '2026-03-03 21:00Z'
                FROM clients c WHERE c.tenant_id = \(tenant.id) AND c.ref = 'C-1'
                """)
            for _ in 1...2 {
                try await tx.execute("""
                    UPDATE dunning_messages SET status = 'sent', sent_at = TIMESTAMPTZ '2026-03-03 08:00:05Z',
                                                attempts = attempts + 1
                    WHERE tenant_id = \(tenant.id)
                    """)
            }
        }
        #expect(try await sender(fixture.worker).sendDue(tenant: tenant.id) == WebhookSendSummary(delivered: 1))
        let requests = try receiver.requests()
        try #require(requests.count == 1)
        let message = try data(of: requests[0])
        #expect(message["client_ref"] as? String == "C-1")
        #expect(message["channel"] as? String == "email")
        #expect(message["scheduled_on"] as? String == "2026-03-03")
        #expect(message["step"] as? String == "due today")
        #expect(message["sent_at"] as? String != nil)
    }

    @Test func aRefusedPostingTellsNothing() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver)
        await #expect(throws: ServiceError.self) {
            try await Payments(database: fixture.service, tenant: tenant.id).post(
                PaymentRequest(clientRef: "NO-SUCH-CLIENT", reference: "P-1", amount: Money(amountMinor: 100, currency: "USD"),
                               receivedOn: CalendarDate("2026-03-02")!),
                idempotencyKey: "P-1", actor: "test")
        }
        #expect(try await deliveries(tenant, fixture) == [])
        #expect(try await sender(fixture.worker).sendDue(tenant: tenant.id) == WebhookSendSummary())
    }
    @Test func anEndpointNobodyListensAtIsRetriedWithTheReason() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("wh")
        _ = try await Clients(database: fixture.service, tenant: tenant.id).create(
            NewClient(ref: "C-1", name: "Ann Client"), actor: "test")
        _ = try await WebhookEndpoints(database: fixture.service, tenant: tenant.id).create(
            url: "http://127.0.0.1:1/hooks", actor: "test")
        try await post("P-1", minor: 100, tenant: tenant, fixture)
        let now = Date()
        #expect(try await sender(fixture.worker).sendDue(tenant: tenant.id, now: now) == WebhookSendSummary(retried: 1))
        let row = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT attempts, last_error, next_attempt_at FROM webhook_deliveries").first
        }
        #expect(try row?.decode(Int.self, column: "attempts") == 1)
        #expect(try row?.decode(String.self, column: "last_error").hasPrefix("the request failed") == true)
        // Not due again until the policy's first delay has passed.
        #expect(try row?.decode(Date.self, column: "next_attempt_at") ?? .distantPast >= now.addingTimeInterval(0.999))
    }

    /// The example of the Standard Webhooks specification and its libraries' tests
    /// (secret, id, timestamp and body as published, and the signature they give).
    @Test func theSpecificationsExampleIsSignedAsPublished() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let signature = try StandardWebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body, secret: secret)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The oracle accepts the published signature among others, and nothing else.
        let headers = ["webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
                       "webhook-signature": "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="]
        try StandardWebhooksOracle.verify(body: body, headers: headers, secret: secret,
                                          now: Date(timeIntervalSince1970: 1_614_265_330))
        #expect(throws: StandardWebhooksOracle.Refusal.stale) {
            try StandardWebhooksOracle.verify(body: body, headers: headers, secret: secret,
                                              now: Date(timeIntervalSince1970: 1_614_265_330 + 301))
        }
        #expect(throws: StandardWebhookSignature.Failure.malformedSecret) {
            try StandardWebhookSignature.sign(id: "msg_1", timestamp: 1, body: body, secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        }
    }

    @Test func anEventIsWrittenOncePerFactWithADeliveryPerSubscribedEndpoint() async throws {
        let fixture = try await Self.fixture.value
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let (tenant, _) = try await lender(fixture, receiver: receiver, events: [.invoiceOverdue])
        let endpoints = WebhookEndpoints(database: fixture.service, tenant: tenant.id)
        _ = try await endpoints.create(url: receiver.url, eventTypes: [], actor: "test")
        _ = try await endpoints.create(url: receiver.url, eventTypes: [.paymentPosted], actor: "test")
        // A set with the same fact twice, then the fact again: one event.
        let written = try await fixture.worker.withTenant(tenant.id) { tx in
            try await [["INV-1/2026-03-01", "INV-1/2026-03-01"], ["INV-1/2026-03-01"]].asyncMap { keys in
                try await tx.query("""
                    SELECT webhook_emit(\(tenant.id), 'invoice.overdue', \(keys.map { _ in JSONText("{}") }), \(keys))
                    """).scalar(Int.self)
            }
        }
        #expect(written == [1, 0])
        // The endpoint of invoice.overdue and the one of every type; not the payments' one.
        #expect(try await deliveries(tenant, fixture) == ["pending", "pending"])
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
