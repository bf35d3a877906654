import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// The contact gate (sql/functions dunning_plan) rule by rule, on one book where
/// each client breaks one rule, and the day's plan against what the worker stores.
@Suite struct ContactGateTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("gate") }

    /// The day planned: every invoice fell due the day before.
    static let day = CalendarDate("2026-03-10")!

    static let policy: [DunningStep] = [
        DunningStep(name: "first overdue", offsetDays: 1, channel: .email, template: "first_overdue"),
        DunningStep(name: "first text", offsetDays: 1, channel: .sms, template: "text_overdue", appliesTo: .consumer),
        DunningStep(name: "first call", offsetDays: 1, channel: .call, template: "call_overdue"),
        DunningStep(name: "letter", offsetDays: 1, channel: .letter, template: "letter_overdue",
                    minimumBalance: [Money(amountMinor: 5_000, currency: "USD")]),
    ]

    /// A consumer lender in Chicago whose clients each break one rule (the ref says which).
    static func book(_ fixture: ServiceFixture) async throws -> Tenant {
        var tenant = try await fixture.tenant("gate", timeZone: "America/Chicago")
        tenant = try await TenantRegistry(database: fixture.service).configure(tenant.slug, clientKind: .consumer, actor: "test")
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set(policy, actor: "test")
        try await fixture.service.withTenant(tenant.id) { tx in
            let t = tenant.id
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name, email, phone, do_not_contact, status, agency_name, agency_placed_on,
                                     kind, time_zone)
                SELECT \(t), v.ref, 'Client ' || v.ref, CASE WHEN v.ref <> 'NOEMAIL' THEN lower(v.ref) || '@example.com' END,
                       '+1-555-' || lpad(v.n::text, 4, '0'), v.ref = 'DNC',
                       CASE v.ref WHEN 'CLOSED' THEN 'closed' WHEN 'ONHOLD' THEN 'on_hold' WHEN 'AGENCY' THEN 'agency'
                                  ELSE 'active' END,
                       CASE WHEN v.ref = 'AGENCY' THEN 'Recovery LLC' END, CASE WHEN v.ref = 'AGENCY' THEN date '2026-02-01' END,
                       CASE WHEN v.ref IN ('BIZ', 'BUSY') THEN 'commercial' END,
                       CASE WHEN v.ref = 'HAWAII' THEN 'Pacific/Honolulu' END
                FROM unnest(\(["OK", "TWO", "DNC", "CLOSED", "ONHOLD", "AGENCY", "ATTY", "ENDED", "NOCONSENT", "STOPPED",
                               "OPTOUT", "NOEMAIL", "TALKED", "DIALED", "SMALL", "DISPUTED", "WRITTEN", "VOID", "BIZ",
                               "BUSY", "HAWAII", "SIX", "WEEK"])::text[]) WITH ORDINALITY AS v(ref, n)
                """)
            // One invoice each, due the day before, of 100.00 (SMALL: 20.00); TWO has two.
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on, voided_on)
                SELECT \(t), c.id, 'INV-' || c.ref || s.n, 'USD', CASE WHEN c.ref = 'SMALL' THEN 2000 ELSE 10000 END,
                       date '2026-02-01', \(Self.day)::date - 1, CASE WHEN c.ref = 'VOID' THEN date '2026-03-05' END
                FROM clients c CROSS JOIN generate_series(1, 2) s(n)
                WHERE c.tenant_id = \(t) AND (s.n = 1 OR c.ref = 'TWO')
                """)
            try await tx.execute("""
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason)
                SELECT \(t), i.id, i.amount_minor, date '2026-03-01', 'amount' FROM invoices i WHERE i.tenant_id = \(t) AND i.number = 'INV-DISPUTED1'
                """)
            try await tx.execute("""
                INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                SELECT \(t), i.id, 1000, date '2026-03-09', 'goodwill' FROM invoices i WHERE i.tenant_id = \(t) AND i.number = 'INV-WRITTEN1'
                """)
            try await tx.execute("""
                INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, ends_on, recorded_by)
                SELECT \(t), c.id, 'attorney', date '2026-03-01', CASE WHEN c.ref = 'ENDED' THEN date '2026-03-08' END, 'test'
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref IN ('ATTY', 'ENDED')
                """)
            // Consent to texts for everyone but NOCONSENT; OPTOUT opted out of email.
            try await tx.execute("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                SELECT \(t), c.id, 'sms', c.phone, true, 'loan agreement', timestamptz '2026-02-01 12:00Z'
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref <> 'NOCONSENT'
                UNION ALL
                SELECT \(t), c.id, 'email', c.email, false, 'unsubscribe link', timestamptz '2026-03-02 12:00Z'
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref = 'OPTOUT'
                """)
            // STOPPED texted STOP; TALKED spoke to a collector 3 days ago, WEEK 7 days
            // ago (the day of the conversation is the first of the 7); DIALED was called
            // 7 times in the last 7 days without an answer, SIX 6 times.
            try await tx.execute("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, direction, body, outcome)
                SELECT \(t), c.id, timestamptz '2026-03-05 15:00Z', 'sms', 'inbound', ' Stop. ', NULL
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref = 'STOPPED'
                UNION ALL
                SELECT \(t), c.id, timestamptz '2026-03-07 16:00Z', 'call', 'outbound', 'talked it through', 'refused'
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref = 'TALKED'
                UNION ALL
                SELECT \(t), c.id, timestamptz '2026-03-04 15:00Z' + g * interval '1 day', 'call', 'outbound', NULL, 'no_answer'
                FROM clients c CROSS JOIN generate_series(0, 6) g
                WHERE c.tenant_id = \(t) AND (c.ref = 'DIALED' OR (c.ref = 'SIX' AND g > 0))
                UNION ALL
                SELECT \(t), c.id, timestamptz '2026-03-03 16:00Z', 'call', 'inbound', 'called back', 'payment_arranged'
                FROM clients c WHERE c.tenant_id = \(t) AND c.ref = 'WEEK'
                """)
            // BUSY, a business, had two messages in the last 7 days (the tenant's cap is 2).
            try await tx.execute("""
                INSERT INTO dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step, template,
                                              address, time_zone, send_from, send_until)
                SELECT \(t), c.id, 'email', d, 1, 'earlier', 'earlier', c.email, 'America/Chicago', d + time '14:00', d + time '22:00'
                FROM clients c CROSS JOIN unnest(ARRAY[date '2026-03-04', date '2026-03-08']) d
                WHERE c.tenant_id = \(t) AND c.ref = 'BUSY'
                """)
        }
        return tenant
    }

    @Test func eachRuleRefusesWhatItCoversAndSaysWhy() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture)
        let plan = try await DunningPlans(database: fixture.service, tenant: tenant).plan(on: Self.day)
        #expect(!plan.decided)
        var refused: [String: String] = [:]
        for suppression in plan.suppressed {
            for invoice in suppression.invoices { refused["\(invoice) \(suppression.channel.rawValue)"] = suppression.rule }
        }
        let sent = Set(plan.messages.flatMap { message in message.invoices.map { "\($0) \(message.channel.rawValue)" } })
        func outcome(_ invoice: String, _ channel: String) -> String {
            refused["\(invoice) \(channel)"] ?? (sent.contains("\(invoice) \(channel)") ? "sent" : "not named")
        }
        let consumerChannels = ["email", "sms", "call", "letter"]
        let expected: [(String, [String])] = [
            ("INV-OK1", ["sent", "sent", "sent", "sent"]),
            ("INV-TWO1", ["sent", "sent", "sent", "sent"]),
            ("INV-DNC1", Array(repeating: "do_not_contact", count: 4)),
            ("INV-CLOSED1", Array(repeating: "client_closed", count: 4)),
            ("INV-ONHOLD1", Array(repeating: "client_on_hold", count: 4)),
            ("INV-AGENCY1", Array(repeating: "placed_with_agency", count: 4)),
            ("INV-ATTY1", Array(repeating: "hold_attorney", count: 4)),
            ("INV-ENDED1", ["sent", "sent", "sent", "sent"]),
            ("INV-NOCONSENT1", ["sent", "no_sms_consent", "sent", "sent"]),
            ("INV-STOPPED1", ["sent", "no_sms_consent", "sent", "sent"]),
            ("INV-OPTOUT1", ["opted_out", "sent", "sent", "sent"]),
            ("INV-NOEMAIL1", ["no_address", "sent", "sent", "sent"]),
            ("INV-TALKED1", ["sent", "sent", "recent_conversation", "sent"]),
            ("INV-DIALED1", ["sent", "sent", "call_attempt_limit", "sent"]),
            ("INV-SIX1", ["sent", "sent", "sent", "sent"]),
            ("INV-WEEK1", ["sent", "sent", "sent", "sent"]),
            ("INV-SMALL1", ["sent", "sent", "sent", "below_minimum"]),
            ("INV-DISPUTED1", Array(repeating: "invoice_disputed", count: 4)),
            ("INV-WRITTEN1", Array(repeating: "invoice_written_off", count: 4)),
            ("INV-VOID1", Array(repeating: "invoice_void", count: 4)),
            // A business: no text step; the third message of the day passes the cap of 2.
            ("INV-BIZ1", ["sent", "not named", "sent", "commercial_cap"]),
            ("INV-BUSY1", ["commercial_cap", "not named", "commercial_cap", "commercial_cap"]),
        ]
        for (invoice, outcomes) in expected {
            #expect(consumerChannels.map { outcome(invoice, $0) } == outcomes, "\(invoice)")
        }
        // One message per client and channel, listing every invoice it is about.
        let two = plan.messages.filter { $0.clientRef == "TWO" }
        #expect(two.map(\.channel) == [.call, .email, .letter, .sms])
        #expect(two.allSatisfy { $0.invoices == ["INV-TWO1", "INV-TWO2"] && $0.amountMinor == 20_000 && $0.currency == "USD" })
        #expect(plan.messages.first { $0.clientRef == "OK" && $0.channel == .email }?.address == "ok@example.com")
        // Reasons in words.
        let reasons = Dictionary(plan.suppressed.map { ("\($0.clientRef) \($0.rule)", $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["ATTY hold_attorney"] == "client ATTY is represented by an attorney since 2026-03-01: contact the attorney, not the client")
        #expect(reasons["STOPPED no_sms_consent"] == "consent to texts to +1-555-0010 was revoked at 2026-03-05 09:00 (STOP reply)")
        #expect(reasons["NOCONSENT no_sms_consent"] == "no consent to texts recorded for +1-555-0009")
        #expect(reasons["TALKED recent_conversation"] == "spoke with client TALKED by phone on 2026-03-07: no call before 2026-03-14")
        #expect(reasons["DIALED call_attempt_limit"] == "7 call attempts about invoice INV-DIALED1 in the 7 days to 2026-03-10 (at most 7)")
        #expect(reasons["SMALL below_minimum"] == "invoice INV-SMALL1 owes 20.00 USD, below the step's minimum of 50.00 USD")
        #expect(reasons["BUSY commercial_cap"] == "client BUSY already has 2 messages in the 7 days to 2026-03-10 (cap 2)")
        #expect(reasons["BIZ commercial_cap"] == "client BIZ already has 2 messages in the 7 days to 2026-03-10 (cap 2)")
        #expect(plan.policyVersion == 2)
    }

    @Test func theDaysPlanIsWhatTheWorkerQueuesAndARerunChangesNothing() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture)
        let plans = DunningPlans(database: fixture.service, tenant: tenant)
        let before = try await plans.plan(on: Self.day)
        #expect(before.messages.count > 20)
        // The run that closes the day before queues the day's messages.
        let day = TenantDay(database: fixture.service)
        _ = try await day.run(tenant: tenant, asOf: Self.day.adding(days: -1), runID: nil, onlyIfNotDone: false)
        var after = try await plans.plan(on: Self.day)
        #expect(after.decided)
        after.decided = false
        #expect(after == before)
        // Whatever changes after the day was decided, a rerun keeps it as it was.
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("UPDATE clients SET do_not_contact = true WHERE tenant_id = \(tenant.id) AND ref = 'OK'")
        }
        _ = try await day.run(tenant: tenant, asOf: Self.day.adding(days: -1), runID: nil, onlyIfNotDone: false)
        var rerun = try await plans.plan(on: Self.day)
        rerun.decided = false
        #expect(rerun == before)
    }

    @Test func messagesGoWithinEightToNineOnTheClientsOwnClock() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture)
        let plan = try await DunningPlans(database: fixture.service, tenant: tenant).plan(on: Self.day)
        let formatter = ISO8601DateFormatter()
        let hawaii = try #require(plan.messages.first { $0.clientRef == "HAWAII" })
        #expect(hawaii.timeZone == "Pacific/Honolulu")
        #expect(formatter.string(from: hawaii.sendFrom) == "2026-03-10T18:00:00Z")
        #expect(formatter.string(from: hawaii.sendUntil) == "2026-03-11T07:00:00Z")
        // Chicago moved to daylight time on 2026-03-08: 08:00 CDT is 13:00Z.
        let chicago = try #require(plan.messages.first { $0.clientRef == "OK" })
        #expect(chicago.timeZone == "America/Chicago")
        #expect(formatter.string(from: chicago.sendFrom) == "2026-03-10T13:00:00Z")
        #expect(formatter.string(from: chicago.sendUntil) == "2026-03-11T02:00:00Z")
    }

    @Test func contactHoursAreEightToNineOnTheWallClockAcrossZonesAndClockChanges() async throws {
        let fixture = try await Self.fixture.value
        let connection = try await PostgresConnection.connect(fixture.database.configuration(as: .server))
        defer { Task { await connection.close() } }
        // (zone, day, 08:00 there, 21:00 there), the offsets from the IANA rules.
        let cases: [(String, String, String, String)] = [
            ("America/New_York", "2026-03-07", "2026-03-07 13:00", "2026-03-08 02:00"),  // EST
            ("America/New_York", "2026-03-08", "2026-03-08 12:00", "2026-03-09 01:00"),  // clocks forward at 02:00
            ("America/New_York", "2026-10-31", "2026-10-31 12:00", "2026-11-01 01:00"),  // EDT
            ("America/New_York", "2026-11-01", "2026-11-01 13:00", "2026-11-02 02:00"),  // clocks back at 02:00
            ("Pacific/Honolulu", "2026-07-01", "2026-07-01 18:00", "2026-07-02 07:00"),  // -10:00, no DST
            ("Asia/Kolkata", "2026-07-01", "2026-07-01 02:30", "2026-07-01 15:30"),      // +05:30
            ("Asia/Kathmandu", "2026-07-01", "2026-07-01 02:15", "2026-07-01 15:15"),    // +05:45
            ("Pacific/Chatham", "2026-01-15", "2026-01-14 18:15", "2026-01-15 07:15"),   // +13:45 in summer
            ("Pacific/Chatham", "2026-07-15", "2026-07-14 19:15", "2026-07-15 08:15"),   // +12:45 in winter
        ]
        for (zone, day, opens, closes) in cases {
            let row = try await connection.query("""
                SELECT to_char(h.opens_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS opens,
                       to_char(h.closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS closes
                FROM dunning_contact_hours(\(CalendarDate(day)!), \(zone)) h
                """)[0]
            #expect(try row.decode(String.self, column: "opens") == opens, "\(zone) \(day)")
            #expect(try row.decode(String.self, column: "closes") == closes, "\(zone) \(day)")
        }
    }

    @Test func theWorklistSaysWhenTheNextCallIsAllowedAndWhy() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await Self.book(fixture)
        let next = try await fixture.service.withTenant(tenant.id) { tx in
            // At an instant (local 22:30 and 06:00 in Chicago, 03:00 in Honolulu), and for the day as a whole.
            try await tx.query("""
                SELECT c.ref || ' ' || coalesce(v.at::text, 'day') || ': '
                       || coalesce(to_char(n.allowed_at AT TIME ZONE n.time_zone, 'YYYY-MM-DD HH24:MI'), 'never') || ' '
                       || n.time_zone || ' ' || coalesce(n.rule, '-')
                FROM (VALUES (1, 'OK', '2026-03-11 03:30Z'::timestamptz), (2, 'OK', '2026-03-10 11:00Z'), (3, 'OK', NULL),
                             (4, 'HAWAII', '2026-03-10 13:00Z'), (5, 'TALKED', NULL), (6, 'DIALED', NULL), (7, 'ATTY', NULL),
                             (8, 'ENDED', NULL), (9, 'DNC', NULL), (10, 'BIZ', NULL)) AS v(n, ref, at)
                JOIN clients c ON c.tenant_id = \(tenant.id) AND c.ref = v.ref
                CROSS JOIN LATERAL contact_next_allowed(\(tenant.id), c.id, \(Self.day), v.at) n
                ORDER BY v.n
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(next == [
            "OK 2026-03-11 03:30:00+00: 2026-03-11 08:00 America/Chicago quiet_hours",
            "OK 2026-03-10 11:00:00+00: 2026-03-10 08:00 America/Chicago quiet_hours",
            "OK day: 2026-03-10 08:00 America/Chicago -",
            "HAWAII 2026-03-10 13:00:00+00: 2026-03-10 08:00 Pacific/Honolulu quiet_hours",
            "TALKED day: 2026-03-14 08:00 America/Chicago recent_conversation",
            "DIALED day: 2026-03-11 08:00 America/Chicago call_attempt_limit",
            "ATTY day: never America/Chicago hold_attorney",
            "ENDED day: 2026-03-10 08:00 America/Chicago -",
            "DNC day: never America/Chicago do_not_contact",
            // A business: no Regulation F call limits, the hours alone.
            "BIZ day: 2026-03-10 08:00 America/Chicago -",
        ])
        // The worklist carries it, in words.
        let worklist = try await Worklist(database: fixture.service, tenant: tenant.id).compute(asOf: Self.day, limit: 100)
        let talked = try #require(worklist.entries.first { $0.clientRef == "TALKED" })
        #expect(talked.nextContact?.text == "can call after 2026-03-14 08:00 America/Chicago (recent_conversation)")
        #expect(worklist.entries.first { $0.clientRef == "ATTY" }?.nextContact?.text == "no contact (hold_attorney)")
        #expect(worklist.entries.first { $0.clientRef == "OK" }?.nextContact?.text == "can call now")
    }
}
