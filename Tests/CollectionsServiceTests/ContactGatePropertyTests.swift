import CollectionsService
import Foundation
import Postgres
import PropertyBased
import Testing
import TestSupport

/// The contact gate over random timelines of holds, consents, opt-outs, STOP
/// replies, calls, conversations, promises, payments, disputes and earlier
/// messages: no message it lets through breaks a rule, every suppression names a
/// rule that holds, every line the policy names is decided exactly once (the
/// oracle: `ContactRulesOracle`), and the worker stores exactly the plan. 200 books a
/// run: in 100, the rarest rules (a 7th call, a recent conversation, a running
/// promise) were each reached 5-6 times.
@Suite struct ContactGatePropertyTests {
    static let fixture = Task { try await ServiceFixture.make("gate_property") }
    /// Spans Chicago's and New York's change to daylight time on 2026-03-08.
    static let day = CalendarDate("2026-03-10")!
    static let zones = ["America/New_York", "America/Chicago", "Pacific/Honolulu", "Asia/Kolkata", "Asia/Kathmandu"]
    static let steps: [DunningStep] = [
        DunningStep(name: "reminder", offsetDays: -2, channel: .email, template: "before_due"),
        DunningStep(name: "first email", offsetDays: 1, channel: .email, template: "overdue"),
        DunningStep(name: "first text", offsetDays: 1, channel: .sms, template: "text", appliesTo: .consumer),
        DunningStep(name: "first call", offsetDays: 1, channel: .call, template: "call"),
        DunningStep(name: "letter", offsetDays: 1, channel: .letter, template: "letter",
                    minimumBalance: [Money(amountMinor: 5_000, currency: "USD")]),
        DunningStep(name: "second email", offsetDays: 3, channel: .email, template: "overdue_2", appliesTo: .commercial),
        DunningStep(name: "second call", offsetDays: 3, channel: .call, template: "call_2",
                    minimumBalance: [Money(amountMinor: 2_500, currency: "USD")]),
    ]

    /// tenant kind (consumer twice as likely), tenant zone, cap.
    static let tenant = zip(Gen.int(in: 0...2), Gen.int(in: 0...4), Gen.int(in: 1...3))
    /// kind (none, consumer, commercial), zone (0: none), addresses, standing.
    static let clients = zip(Gen.int(in: 0...2), Gen.int(in: 0...5), Gen.int(in: 0...3), Gen.int(in: 0...12)).array(of: 4...4)
    /// client, due (days before the day: 1, 3, -2 or 5), amount, what happened to it.
    static let invoices = zip(Gen.int(in: 0...3), Gen.int(in: 0...3), Gen.int(in: 1_000...20_000), Gen.int(in: 0...12))
        .array(of: 1...10)
    /// what (calls and conversations twice as likely as the rest), client, invoice, days back, hour.
    static let events = zip(Gen.int(in: 0...13), Gen.int(in: 0...3), Gen.int(in: 0...10), Gen.int(in: 0...12), Gen.int(in: 0...23))
        .array(of: 0...30)

    /// The outcomes the random books reached, so that a run that never reached a
    /// rule is seen to prove nothing about it.
    actor Seen {
        var outcomes: Set<String> = []
        func add(_ more: some Sequence<String>) { outcomes.formUnion(more) }
    }

    @Test func noMessageBreaksARuleAndEverySuppressionNamesOneThatHolds() async throws {
        let fixture = try await Self.fixture.value
        let seen = Seen()
        await propertyCheck(count: 200, input: Self.tenant, Self.clients, Self.invoices, Self.events) { tenantSpec, clients, invoices, events in
            let oracle = Self.oracle(tenantSpec, clients, invoices, events)
            let context = "tenant \(tenantSpec), clients \(clients), invoices \(invoices), events \(events)"
            let tenant = try await Self.write(oracle, fixture)
            let plans = DunningPlans(database: fixture.service, tenant: tenant)
            let plan = try await plans.plan(on: Self.day)

            let named = oracle.named(on: Self.day)
            let stepOf = Dictionary(named.map { ($0.0, $0.step) }, uniquingKeysWith: { a, _ in a })
            var decided: [ContactRulesOracle.Line: String] = [:]
            for message in plan.messages {
                for invoice in message.invoices {
                    let line = ContactRulesOracle.Line(invoice: invoice, channel: message.channel)
                    #expect(decided.updateValue("sent", forKey: line) == nil, "\(line) decided twice: \(context)")
                }
            }
            for suppression in plan.suppressed {
                for invoice in suppression.invoices {
                    let line = ContactRulesOracle.Line(invoice: invoice, channel: suppression.channel)
                    #expect(decided.updateValue(suppression.rule, forKey: line) == nil, "\(line) decided twice: \(context)")
                }
            }
            await seen.add(decided.values)
            // Exactly the lines the policy names.
            #expect(Set(decided.keys) == Set(named.map(\.0)), "lines: \(context)")

            let passing = named.filter { oracle.rules($0.0, step: $0.step, on: Self.day).isEmpty }
            let capped = oracle.capped(passing: passing, on: Self.day)
            for (line, outcome) in decided {
                guard let step = stepOf[line] else { continue }
                let holding = oracle.rules(line, step: step, on: Self.day)
                let ref = oracle.clients[oracle.invoices.first { $0.number == line.invoice }!.client].ref
                let isCapped = capped.contains("\(ref) \(line.channel.rawValue)")
                if outcome == "sent" {
                    #expect(holding.isEmpty && !isCapped, "\(line) sent though \(holding) \(isCapped ? "capped" : ""): \(context)")
                } else if outcome == "commercial_cap" {
                    #expect(holding.isEmpty && isCapped, "\(line) capped wrongly (\(holding)): \(context)")
                } else {
                    #expect(holding.contains(outcome), "\(line) suppressed by \(outcome), which does not hold (\(holding)): \(context)")
                }
            }

            // The worker's run of the day before stores exactly the plan.
            _ = try await TenantDay(database: fixture.service).run(
                tenant: tenant, asOf: Self.day.adding(days: -1), runID: nil, onlyIfNotDone: false)
            var stored = try await plans.plan(on: Self.day)
            #expect(stored.decided)
            stored.decided = false
            #expect(stored == plan, "stored: \(context)")
        }
        let reached = await seen.outcomes
        let rules = ["sent", "invoice_void", "do_not_contact", "client_closed", "client_on_hold", "placed_with_agency",
                     "invoice_disputed", "invoice_written_off", "below_minimum", "promise_running", "no_sms_consent",
                     "opted_out", "no_address", "recent_conversation", "call_attempt_limit", "commercial_cap"]
        #expect(Set(rules).subtracting(reached).isEmpty, "never reached: \(Set(rules).subtracting(reached).sorted())")
        #expect(reached.contains { $0.hasPrefix("hold_") })
    }

    static func oracle(
        _ tenantSpec: (Int, Int, Int), _ clients: [(Int, Int, Int, Int)], _ invoices: [(Int, Int, Int, Int)],
        _ events: [(Int, Int, Int, Int, Int)]
    ) -> ContactRulesOracle {
        var oracle = ContactRulesOracle(
            tenantKind: tenantSpec.0 < 2 ? .consumer : .commercial, tenantZone: zones[tenantSpec.1], cap: tenantSpec.2,
            steps: steps)
        for (index, (kind, zone, addresses, standing)) in clients.enumerated() {
            var client = ContactRulesOracle.Client(
                ref: "C\(index)", kind: [nil, ClientKind.consumer, .commercial][kind], zone: zone == 0 ? nil : zones[zone - 1],
                email: addresses % 2 == 0 ? "c\(index)@example.com" : nil,
                phone: addresses != 3 ? "+1-555-000\(index)" : nil)
            switch standing {
            case 0: client.doNotContact = true
            case 1: client.status = "on_hold"
            case 2: client.status = "closed"
            case 3: client.status = "agency"
            default: break
            }
            oracle.clients.append(client)
        }
        for (index, (client, due, amount, fate)) in invoices.enumerated() {
            var invoice = ContactRulesOracle.Invoice(
                number: "INV-\(index)", client: client, amountMinor: Int64(amount), dueOn: day.adding(days: -[1, 3, -2, 5][due]))
            switch fate {
            case 0: invoice.voidedOn = day.adding(days: -4)
            case 1: invoice.dispute = (day.adding(days: -6), nil)
            case 2: invoice.dispute = (day.adding(days: -6), day.adding(days: -1))
            case 3:
                invoice.writtenOffMinor = Int64(amount / 4)
                invoice.writtenOffOn = day.adding(days: -1)
            case 4: invoice.paidMinor = Int64(amount)
            case 5: invoice.paidMinor = Int64(amount / 2)
            case 6: invoice.voidedOn = day.adding(days: 2)  // voided after the day: not void yet
            default: break
            }
            oracle.invoices.append(invoice)
        }
        let holdKinds = ["cease_communication", "attorney", "bankruptcy", "deceased", "dispute_verification"]
        for (index, (what, client, invoice, back, hour)) in events.enumerated() {
            // An instant `back` days before the day, at `hour` UTC (and `index`
            // seconds: no two records at the same instant, whose order is the write's).
            let at = ContactRulesOracle.start(of: day.adding(days: -back), "UTC")
                .addingTimeInterval(Double(hour) * 3600 + Double(index))
            let invoiceIndex = invoice < oracle.invoices.count && oracle.invoices[invoice].client == client ? invoice : nil
            switch what {
            case 0:
                oracle.holds.append(.init(
                    client: client, kind: holdKinds[hour % 5], startsOn: day.adding(days: -back),
                    endsOn: hour % 3 == 0 ? day.adding(days: -back + 1 + hour % 12) : nil))
            case 1: oracle.permissions.append(.init(client: client, channel: .sms, address: oracle.clients[client].phone, granted: true, at: at))
            case 2: oracle.permissions.append(.init(client: client, channel: .sms, address: nil, granted: hour % 2 == 0, at: at))
            case 3: oracle.permissions.append(.init(client: client, channel: .email, address: oracle.clients[client].email, granted: false, at: at))
            case 4: oracle.notes.append(.init(client: client, invoice: invoiceIndex, at: at, channel: "call", direction: "outbound", outcome: "no_answer"))
            case 5, 11: oracle.notes.append(.init(client: client, invoice: invoiceIndex, at: at, channel: "call", direction: hour % 2 == 0 ? "inbound" : "outbound", outcome: "refused"))
            case 6:
                oracle.notes.append(.init(
                    client: client, invoice: nil, at: at, channel: "email", direction: "outbound", outcome: "promise_to_pay",
                    promiseDate: day.adding(days: -back + hour % 10)))
            case 7: oracle.notes.append(.init(client: client, invoice: nil, at: at, channel: "sms", direction: "inbound", body: "STOP"))
            case 8:
                let on = day.adding(days: -(1 + back % 8))
                if !oracle.earlierMessages.contains(where: { $0 == (client, on) }) { oracle.earlierMessages.append((client, on)) }
            case 9, 12:
                // 6 to 8 attempts 20 hours apart, the last today or yesterday.
                let last = ContactRulesOracle.start(of: day.adding(days: -(back % 2)), "UTC")
                    .addingTimeInterval(Double(hour) * 3600 + Double(index))
                for attempt in 0..<(6 + hour % 3) {
                    oracle.notes.append(.init(
                        client: client, invoice: invoiceIndex, at: last.addingTimeInterval(Double(attempt) * -20 * 3600),
                        channel: "call", direction: "outbound", outcome: "left_message"))
                }
            default:
                // A consent for all the client's numbers, or for a number it no longer has.
                oracle.permissions.append(.init(
                    client: client, channel: .sms, address: hour % 2 == 0 ? "+1-555-9999" : nil, granted: hour % 3 != 0, at: at))
            }
        }
        return oracle
    }

    /// A tenant holding the oracle's facts, written through the app role.
    static func write(_ oracle: ContactRulesOracle, _ fixture: ServiceFixture) async throws -> Tenant {
        var tenant = try await fixture.tenant("prop", timeZone: oracle.tenantZone)
        tenant = try await TenantRegistry(database: fixture.service).configure(
            tenant.slug, promiseGraceDays: oracle.graceDays, clientKind: oracle.tenantKind, commercialCapMessages: oracle.cap,
            commercialCapDays: oracle.capDays, actor: "test")
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set(oracle.steps, actor: "test")
        try await fixture.service.withTenant(tenant.id) { tx in
            let t = tenant.id
            var clientIDs: [UUID] = []
            for client in oracle.clients {
                let id = try await tx.query("""
                    INSERT INTO clients (tenant_id, ref, name, email, phone, do_not_contact, status, agency_name, agency_placed_on,
                                         kind, time_zone)
                    VALUES (\(t), \(client.ref), \(client.ref), \(client.email), \(client.phone), \(client.doNotContact),
                            \(client.status), \(client.status == "agency" ? "Agency" : nil),
                            \(client.status == "agency" ? day.adding(days: -30) : nil), \(client.kind?.rawValue),
                            \(client.zone))
                    RETURNING id
                    """).scalar(UUID.self)!
                clientIDs.append(id)
            }
            var invoiceIDs: [UUID] = []
            for invoice in oracle.invoices {
                let id = try await tx.query("""
                    INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on, voided_on)
                    VALUES (\(t), \(clientIDs[invoice.client]), \(invoice.number), 'USD', \(invoice.amountMinor),
                            \(day.adding(days: -40)), \(invoice.dueOn), \(invoice.voidedOn))
                    RETURNING id
                    """).scalar(UUID.self)!
                invoiceIDs.append(id)
                if invoice.paidMinor > 0 {
                    try await tx.execute("""
                        WITH p AS (
                            INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                            VALUES (\(t), \(clientIDs[invoice.client]), \("PAY-" + invoice.number), 'USD', \(invoice.paidMinor),
                                    \(day.adding(days: -5)))
                            RETURNING id
                        )
                        INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                        SELECT \(t), p.id, \(id), \(invoice.paidMinor), \(day.adding(days: -5)) FROM p
                        """)
                }
                if let on = invoice.writtenOffOn {
                    try await tx.execute("""
                        INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                        VALUES (\(t), \(id), \(invoice.writtenOffMinor), \(on), 'small balance')
                        """)
                }
                if let (opened, resolved) = invoice.dispute {
                    try await tx.execute("""
                        INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on, resolution)
                        VALUES (\(t), \(id), (SELECT i.amount_minor FROM invoices i WHERE i.tenant_id = \(t) AND i.id = \(id)),
                                \(opened), 'amount', \(resolved), \(resolved == nil ? nil : "agreed"))
                        """)
                }
            }
            for hold in oracle.holds {
                try await tx.execute("""
                    INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, ends_on, recorded_by)
                    VALUES (\(t), \(clientIDs[hold.client]), \(hold.kind), \(hold.startsOn), \(hold.endsOn), 'test')
                    """)
            }
            for record in oracle.permissions {
                try await tx.execute("""
                    INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                    VALUES (\(t), \(clientIDs[record.client]), \(record.channel.rawValue), \(record.address), \(record.granted),
                            'test', \(record.at))
                    """)
            }
            for note in oracle.notes {
                let promise = note.promiseDate != nil
                try await tx.execute("""
                    INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, direction, body, outcome,
                                               promise_amount_minor, promise_currency, promise_date)
                    VALUES (\(t), \(clientIDs[note.client]), \(note.invoice.map { invoiceIDs[$0] }), \(note.at), \(note.channel),
                            \(note.direction), \(note.body), \(note.outcome), \(promise ? Int64(1_000) : nil),
                            \(promise ? "USD" : nil), \(note.promiseDate))
                    """)
            }
            for (client, on) in oracle.earlierMessages {
                try await tx.execute("""
                    INSERT INTO dunning_messages (tenant_id, client_id, channel, scheduled_on, policy_version, step, template,
                                                  address, time_zone, send_from, send_until)
                    SELECT \(t), \(clientIDs[client]), 'letter', \(on), 2, 'earlier', 'earlier', NULL, 'UTC',
                           \(on)::date + time '08:00', \(on)::date + time '21:00'
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
        return tenant
    }
}
