import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct DailyWorkerTests {
    static let fixture = Task<ServiceFixture, any Error> { try await ServiceFixture.make("worker") }

    func bookedTenant(_ prefix: String, clients: Int = 12) async throws -> (ServiceFixture, Tenant) {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant(prefix)
        try await SyntheticBook.write(into: tenant, service: fixture.service, clients: clients, plans: true)
        return (fixture, tenant)
    }

    @Test func aDayStoresAgeingAndKPIsPerCurrencyAndPerClient() async throws {
        let (fixture, tenant) = try await bookedTenant("snap")
        let asOf = CalendarDate("2013-06-30")!
        let outcome = try await TenantDay(database: fixture.service).run(tenant: tenant, asOf: asOf, runID: nil, onlyIfNotDone: false)
        guard case .done(let rows, let fees, let promises, _, _) = outcome else {
            Issue.record("day not done: \(outcome)")
            return
        }
        #expect(rows > 2)
        #expect(fees > 0)
        #expect(promises > 0)
        let currencies = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT currency FROM kpi_snapshots WHERE as_of = \(asOf) ORDER BY 1").map { try $0.decode(String.self, at: 0) }
        }
        #expect(currencies == ["EUR", "USD"])
        // The stored ageing equals the live computation for that day.
        let (stored, live) = try await fixture.service.withTenant(tenant.id) { tx in
            let stored = try await tx.query("SELECT sum(total_minor) FROM ageing_snapshots WHERE as_of = \(asOf) AND currency = 'USD'").scalar(Int.self)
            let live = try await tx.query("SELECT total_minor FROM report_ageing(\(tenant.id), \(asOf), '{30,60,90}') WHERE currency = 'USD'").scalar(Int.self)
            return (stored, live)
        }
        #expect(stored == live)
        #expect(stored != nil)
    }

    @Test func lateFeesAccrueOncePerPeriodRoundedHalfEvenAndNotOnDisputedOrWrittenOffInvoices() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await fixture.tenant("fees")
        try await fixture.service.withTenant(tenant.id) { tx in
            let client = try await tx.query("INSERT INTO clients (tenant_id, ref, name) VALUES (current_tenant_id(), 'C', 'C') RETURNING id").scalar(UUID.self)!
            // 12345 x 1.5% = 185.175 -> 185 (below half); 10100 x 2.5% = 252.5 -> 252 (half, to even);
            // 10300 x 2.5% = 257.5 -> 258 (half, to even).
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on,
                                      late_fee_policy, late_fee_percent_bp, late_fee_flat_minor, late_fee_grace_days)
                VALUES (current_tenant_id(), \(client), 'P-185', 'USD', 12345, '2013-01-01', '2013-01-31', 'percent', 150, NULL, 0),
                       (current_tenant_id(), \(client), 'P-252', 'USD', 10100, '2013-01-01', '2013-01-31', 'percent', 250, NULL, 0),
                       (current_tenant_id(), \(client), 'P-258', 'USD', 10300, '2013-01-01', '2013-01-31', 'percent', 250, NULL, 0),
                       (current_tenant_id(), \(client), 'FLAT', 'USD', 5000, '2013-01-01', '2013-01-31', 'flat', NULL, 2500, 10),
                       (current_tenant_id(), \(client), 'DISPUTED', 'USD', 5000, '2013-01-01', '2013-01-31', 'flat', NULL, 2500, 0),
                       (current_tenant_id(), \(client), 'WRITTEN', 'USD', 5000, '2013-01-01', '2013-01-31', 'flat', NULL, 2500, 0)
                """)
            try await tx.execute("""
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason)
                SELECT current_tenant_id(), id, amount_minor, '2013-01-15', 'quality' FROM invoices WHERE number = 'DISPUTED'
                """)
            try await tx.execute("""
                INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                SELECT current_tenant_id(), id, 1000, '2013-01-20', 'goodwill' FROM invoices WHERE number = 'WRITTEN'
                """)
        }
        let day = TenantDay(database: fixture.service)
        // Day by day through March, then the whole of it again: still one fee per period.
        for offset in 0..<60 {
            _ = try await day.run(tenant: tenant, asOf: CalendarDate("2013-02-01")!.adding(days: offset), runID: nil, onlyIfNotDone: false)
        }
        _ = try await day.run(tenant: tenant, asOf: CalendarDate("2013-03-31")!, runID: nil, onlyIfNotDone: false)
        let fees = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT i.number || ' ' || c.period_key || ' ' || c.charged_on || ' ' || c.amount_minor
                FROM invoice_charges c JOIN invoices i ON i.id = c.invoice_id ORDER BY 1
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(fees == [
            "FLAT flat 2013-02-11 2500",
            "P-185 month-1 2013-02-28 185",
            "P-185 month-2 2013-03-31 185",
            "P-252 month-1 2013-02-28 252",
            "P-252 month-2 2013-03-31 252",
            "P-258 month-1 2013-02-28 258",
            "P-258 month-2 2013-03-31 258",
        ])
    }

    @Test func promisesAreDecidedKeptOrBrokenOnceTheirDatePlusGraceHasPassed() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await TenantRegistry(database: fixture.service).configure(
            try await fixture.tenant("promise").slug, promiseGraceDays: 2, actor: "test")
        try await fixture.service.withTenant(tenant.id) { tx in
            let client = try await tx.query("INSERT INTO clients (tenant_id, ref, name) VALUES (current_tenant_id(), 'C', 'C') RETURNING id").scalar(UUID.self)!
            try await tx.execute("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome, promise_amount_minor, promise_currency, promise_date)
                VALUES (current_tenant_id(), \(client), '2013-03-01 10:00+00', 'call', 'promise_to_pay', 1000, 'USD', '2013-03-10'),
                       (current_tenant_id(), \(client), '2013-03-01 11:00+00', 'call', 'promise_to_pay', 5000, 'USD', '2013-03-10'),
                       (current_tenant_id(), \(client), '2013-03-01 12:00+00', 'call', 'promise_to_pay', 100, 'USD', '2013-04-30')
                """)
            // 1200 paid by the promise date plus grace (the 12th); a payment on the 13th is too late.
            try await tx.execute("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                VALUES (current_tenant_id(), \(client), 'P1', 'USD', 700, '2013-03-05'),
                       (current_tenant_id(), \(client), 'P2', 'USD', 500, '2013-03-12'),
                       (current_tenant_id(), \(client), 'P3', 'USD', 9000, '2013-03-13')
                """)
        }
        let day = TenantDay(database: fixture.service)
        _ = try await day.run(tenant: tenant, asOf: CalendarDate("2013-03-12")!, runID: nil, onlyIfNotDone: false)
        let before = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("SELECT count(*) FROM promise_outcomes").scalar(Int.self)
        }
        #expect(before == 0, "not decided while the grace days last")
        _ = try await day.run(tenant: tenant, asOf: CalendarDate("2013-03-20")!, runID: nil, onlyIfNotDone: false)
        let outcomes = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT n.promise_amount_minor || ' ' || o.state || ' ' || o.decided_on || ' ' || o.paid_minor
                FROM promise_outcomes o JOIN contact_notes n ON n.id = o.note_id ORDER BY n.promise_amount_minor
                """).map { try $0.decode(String.self, at: 0) }
        }
        #expect(outcomes == ["1000 kept 2013-03-13 1200", "5000 broken 2013-03-13 1200"])
    }

    /// Promises to pay 2013-03-10 (no grace) by four clients, and the cheques
    /// that came in for them, some returned unpaid later.
    func bouncedChequeBook(_ fixture: ServiceFixture, _ prefix: String) async throws -> Tenant {
        let tenant = try await fixture.tenant(prefix)
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name)
                SELECT current_tenant_id(), r, r FROM unnest(ARRAY['X', 'Y', 'Z', 'W']) AS r
                """)
            try await tx.execute("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome, promise_amount_minor, promise_currency, promise_date)
                SELECT current_tenant_id(), c.id, '2013-03-01 10:00+00', 'call', 'promise_to_pay', v.promised, 'USD', '2013-03-10'
                FROM (VALUES ('X', 1000), ('Y', 600), ('Z', 500), ('W', 1000)) AS v(ref, promised)
                JOIN clients c ON c.ref = v.ref
                """)
            // X: its one cheque bounces after the deadline. Y: two cheques, the second
            // bounces on the 20th and leaves 400 of 600. Z: a bounce leaves 600 of 500.
            // W: the cheque bounced before the deadline, so it never counted.
            try await tx.execute("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, method,
                                      reversed_on, reversal_reason)
                SELECT current_tenant_id(), c.id, v.reference, 'USD', v.amount, v.received::date, 'check', v.reversed::date,
                       CASE WHEN v.reversed IS NOT NULL THEN 'returned unpaid' END
                FROM (VALUES ('X', 'X1', 1000, '2013-03-05', '2013-03-15'),
                             ('Y', 'Y1', 400, '2013-03-04', NULL), ('Y', 'Y2', 400, '2013-03-06', '2013-03-20'),
                             ('Z', 'Z1', 600, '2013-03-04', NULL), ('Z', 'Z2', 400, '2013-03-06', '2013-03-12'),
                             ('W', 'W1', 1000, '2013-03-05', '2013-03-08')) AS v(ref, reference, amount, received, reversed)
                JOIN clients c ON c.ref = v.ref
                """)
        }
        return tenant
    }

    func outcomes(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> [String] {
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT c.ref || ' ' || o.state || ' ' || o.decided_on || ' ' || o.paid_minor
                FROM promise_outcomes o JOIN clients c ON c.id = o.client_id ORDER BY c.ref
                """).map { try $0.decode(String.self, at: 0) }
        }
    }

    @Test func aPromiseKeptByAChequeReturnedUnpaidLaterIsBrokenFromTheDayItBounced() async throws {
        let fixture = try await Self.fixture.value
        let daily = try await bouncedChequeBook(fixture, "bounce-daily")
        let late = try await bouncedChequeBook(fixture, "bounce-late")
        let run = try await worker(["run", "--tenant", daily.slug, "--from", "2013-03-01", "--to", "2013-03-31"], fixture)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = [
            "W broken 2013-03-11 0",     // decided on the day after the deadline, without W1
            "X broken 2013-03-15 0",     // kept on the 11th, broken when X1 bounced
            "Y broken 2013-03-20 400",   // kept until Y2 bounced and left 400 of 600
            "Z kept 2013-03-11 1000",    // Z2 bounced, but 600 still covers 500
        ]
        #expect(try await outcomes(fixture, daily) == expected)
        // Seen on the 14th, X was still kept.
        let day = TenantDay(database: fixture.service)
        _ = try await day.run(tenant: late, asOf: CalendarDate("2013-03-14")!, runID: nil, onlyIfNotDone: false)
        #expect(try await outcomes(fixture, late).contains("X kept 2013-03-11 1000"))
        // One late run ends with the same rows as the daily ones, and a rerun changes nothing.
        for _ in 0..<2 {
            _ = try await day.run(tenant: late, asOf: CalendarDate("2013-03-31")!, runID: nil, onlyIfNotDone: false)
            #expect(try await outcomes(fixture, late) == expected)
        }
    }

    @Test func remindersAreQueuedBeforeAndAfterTheDueDateForOpenInvoicesOfClientsWeMayContact() async throws {
        let fixture = try await Self.fixture.value
        let tenant = try await TenantRegistry(database: fixture.service).configure(
            try await fixture.tenant("remind").slug, promiseGraceDays: 1, reminderOffsets: [-3, 1, 7], actor: "test")
        try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name, email, phone, preferred_channel, do_not_contact, status)
                VALUES (current_tenant_id(), 'OPEN', 'Open', 'ap@open.example', NULL, NULL, false, 'active'),
                       (current_tenant_id(), 'SMS', 'Texts', NULL, '+1-555-0100', 'sms', false, 'active'),
                       (current_tenant_id(), 'DNC', 'Do not contact', 'x@dnc.example', NULL, NULL, true, 'active'),
                       (current_tenant_id(), 'HOLD', 'On hold', 'x@hold.example', NULL, NULL, false, 'on_hold'),
                       (current_tenant_id(), 'PROMISED', 'Promised', 'x@promised.example', NULL, NULL, false, 'active')
                """)
            // All due on 2013-03-10 except LATER (2013-03-20).
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                SELECT current_tenant_id(), c.id, v.number, 'USD', 10000, '2013-02-01', v.due::date
                FROM (VALUES ('OPEN', 'UNPAID', '2013-03-10'), ('OPEN', 'PAID', '2013-03-10'),
                             ('OPEN', 'PARTLY', '2013-03-10'), ('OPEN', 'DISPUTED', '2013-03-10'),
                             ('OPEN', 'LATER', '2013-03-20'), ('SMS', 'TEXTED', '2013-03-10'),
                             ('DNC', 'NEVER', '2013-03-10'), ('HOLD', 'HELD', '2013-03-10'),
                             ('PROMISED', 'ARRANGED', '2013-03-10')) AS v(ref, number, due)
                JOIN clients c ON c.ref = v.ref
                """)
            // PAID is paid in full before it falls due; PARTLY has 4,000 left after
            // the 11th; DISPUTED is disputed from the 5th to the 15th.
            try await tx.execute("""
                WITH p AS (
                    INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on)
                    SELECT current_tenant_id(), i.client_id, 'PAY-' || i.number, 'USD', v.amount, v.received::date
                    FROM (VALUES ('PAID', 10000, '2013-03-01'), ('PARTLY', 6000, '2013-03-11')) AS v(number, amount, received)
                    JOIN invoices i ON i.number = v.number
                    RETURNING id, amount_minor, received_on, reference
                )
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT current_tenant_id(), p.id, i.id, p.amount_minor, p.received_on
                FROM p JOIN invoices i ON 'PAY-' || i.number = p.reference
                """)
            try await tx.execute("""
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on, resolution)
                SELECT current_tenant_id(), id, amount_minor, '2013-03-05', 'price', '2013-03-15', 'agreed' FROM invoices WHERE number = 'DISPUTED'
                """)
            // A promise made on the 9th to pay by the 15th (grace 1: running until the 16th).
            try await tx.execute("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, outcome, promise_amount_minor, promise_currency, promise_date)
                SELECT current_tenant_id(), id, '2013-03-09 10:00+00', 'call', 'promise_to_pay', 10000, 'USD', '2013-03-15'
                FROM clients WHERE ref = 'PROMISED'
                """)
        }
        let run = try await worker(["run", "--tenant", tenant.slug, "--from", "2013-03-01", "--to", "2013-03-31"], fixture)
        #expect(run.status == 0, "\(run.stderr)")

        let reminders = Reminders(database: fixture.service, tenant: tenant.id)
        var queued: [String] = []
        for offset in 0..<31 {
            for reminder in try await reminders.scheduled(on: CalendarDate("2013-03-01")!.adding(days: offset)).reminders {
                queued.append("\(reminder.scheduledOn) \(reminder.invoiceNumber) \(reminder.timing) \(reminder.channel) "
                              + "\(reminder.address ?? "-") \(reminder.balance.amountMinor)")
            }
        }
        // By day, then client ref, then invoice: the reminder days are the policy's
        // email steps (sql/0014). Not queued: PAID (nothing owed), DISPUTED while its
        // dispute was open (the 7th and the 11th), NEVER (do not contact), HELD
        // (client on hold), TEXTED (the client has no email address), and ARRANGED
        // past due while its promise ran (to the 16th: the 15th plus a day of grace).
        #expect(queued == [
            "2013-03-07 PARTLY 3 days before due email ap@open.example 10000",
            "2013-03-07 UNPAID 3 days before due email ap@open.example 10000",
            "2013-03-07 ARRANGED 3 days before due email x@promised.example 10000",
            "2013-03-11 PARTLY 1 day past due email ap@open.example 4000",
            "2013-03-11 UNPAID 1 day past due email ap@open.example 10000",
            "2013-03-17 DISPUTED 7 days past due email ap@open.example 10000",
            "2013-03-17 LATER 3 days before due email ap@open.example 10000",
            "2013-03-17 PARTLY 7 days past due email ap@open.example 4000",
            "2013-03-17 UNPAID 7 days past due email ap@open.example 10000",
            "2013-03-17 ARRANGED 7 days past due email x@promised.example 10000",
            "2013-03-21 LATER 1 day past due email ap@open.example 10000",
            "2013-03-27 LATER 7 days past due email ap@open.example 10000",
        ])

        // Each refusal is stored with its rule.
        let plans = DunningPlans(database: fixture.service, tenant: tenant)
        var refused: [String] = []
        for day in ["2013-03-07", "2013-03-11"] {
            for suppression in try await plans.plan(on: CalendarDate(day)!).suppressed {
                refused.append("\(day) \(suppression.invoices.joined(separator: ",")) \(suppression.rule)")
            }
        }
        #expect(refused == [
            "2013-03-07 NEVER do_not_contact", "2013-03-07 HELD client_on_hold", "2013-03-07 DISPUTED invoice_disputed",
            "2013-03-07 TEXTED no_address", "2013-03-11 NEVER do_not_contact", "2013-03-11 HELD client_on_hold",
            "2013-03-11 DISPUTED invoice_disputed", "2013-03-11 ARRANGED promise_running", "2013-03-11 TEXTED no_address",
        ])

        // A rerun of the month queues nothing more.
        let before = try await storedRows(fixture, tenant)
        let again = try await worker(["run", "--tenant", tenant.slug, "--from", "2013-03-01", "--to", "2013-03-31", "--recompute"], fixture)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await storedRows(fixture, tenant) == before)
    }

    @Test func rerunningADayGivesIdenticalRows() async throws {
        let (fixture, tenant) = try await bookedTenant("rerun")
        let day = TenantDay(database: fixture.service)
        for date in ["2013-05-31", "2013-06-30"] {
            _ = try await day.run(tenant: tenant, asOf: CalendarDate(date)!, runID: nil, onlyIfNotDone: false)
        }
        let first = try await storedRows(fixture, tenant)
        for date in ["2013-05-31", "2013-06-30"] {
            _ = try await day.run(tenant: tenant, asOf: CalendarDate(date)!, runID: nil, onlyIfNotDone: false)
        }
        #expect(try await storedRows(fixture, tenant) == first)
        #expect(first.count > 50)
    }

    @Test func aBackfillEqualsTheSameDaysRunOneByOne() async throws {
        let (fixture, backfilled) = try await bookedTenant("backfill")
        let daily = try await fixture.tenant("daily")
        try await SyntheticBook.write(into: daily, service: fixture.service, plans: true)
        let result = try await worker(["run", "--tenant", backfilled.slug, "--from", "2013-03-01", "--to", "2013-03-20"], fixture)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("20 tenant days done"))
        for offset in 0..<20 {
            let asOf = CalendarDate("2013-03-01")!.adding(days: offset)
            let one = try await worker(["run", "--tenant", daily.slug, "--as-of", asOf.description], fixture)
            #expect(one.status == 0, "\(one.stderr)")
        }
        let a = try await storedRows(fixture, backfilled)
        let b = try await storedRows(fixture, daily)
        #expect(a == b)
        #expect(a.filter { $0.hasPrefix("kpi ") }.count == 40)
        #expect(a.contains { $0.hasPrefix("message invoice ") }, "the days compared queued dunning messages")
    }

    @Test func recomputingEarlierDaysAfterLaterOnesEndsLikeACleanRun() async throws {
        let (fixture, redone) = try await bookedTenant("redone")
        let clean = try await fixture.tenant("clean")
        try await SyntheticBook.write(into: clean, service: fixture.service, plans: true)
        let range = ["--from", "2013-02-01", "--to", "2013-07-31"]
        #expect(try await worker(["run", "--tenant", clean.slug] + range, fixture).status == 0)
        #expect(try await worker(["run", "--tenant", redone.slug] + range, fixture).status == 0)
        let again = try await worker(["run", "--tenant", redone.slug, "--recompute", "--from", "2013-02-01", "--to", "2013-04-30"], fixture)
        #expect(again.status == 0, "\(again.stderr)")
        let cleanRows = try await storedRows(fixture, clean)
        let redoneRows = try await storedRows(fixture, redone)
        #expect(redoneRows == cleanRows, """
            only after the recompute: \(Set(redoneRows).subtracting(cleanRows).sorted())
            only in the clean run: \(Set(cleanRows).subtracting(redoneRows).sorted())
            """)
    }

    @Test func aWorkerKilledAtAnyMomentAndRerunEndsLikeACleanRun() async throws {
        let (fixture, killed) = try await bookedTenant("killed")
        let clean = try await fixture.tenant("clean")
        try await SyntheticBook.write(into: clean, service: fixture.service, plans: true)
        let range = ["--from", "2013-02-01", "--to", "2013-07-31"]
        #expect(try await worker(["run", "--tenant", clean.slug] + range, fixture).status == 0)

        var interrupted = 0
        for delay in [100, 300, 700] {
            let process = Process()
            process.executableURL = Executable.url("collections-worker")
            process.arguments = ["run", "--tenant", killed.slug, "--recompute"] + range
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = fixture.database.url(as: .worker)
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            await waitForExit(process)
            // A kill that came after the run had finished proves nothing; count the others.
            if process.terminationReason == .uncaughtSignal { interrupted += 1 }
        }
        #expect(interrupted >= 1, "every kill came too late: make the range longer")
        let rerun = try await worker(["run", "--tenant", killed.slug] + range, fixture)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let cleanRows = try await storedRows(fixture, clean)
        let killedRows = try await storedRows(fixture, killed)
        #expect(killedRows == cleanRows, """
            only after the kills: \(Set(killedRows).subtracting(cleanRows).sorted())
            only in the clean run: \(Set(cleanRows).subtracting(killedRows).sorted())
            """)
        // The days compared decided payment plans: instalments missed, plans ended.
        #expect(cleanRows.contains { $0.hasPrefix("instalment ") && $0.range(of: #"\d{4}-\d\d-\d\d$"#, options: .regularExpression) != nil })
        #expect(cleanRows.contains { $0.hasPrefix("kpi ") && !$0.hasSuffix(" plans 0 0 ") })
    }

    @Test func twoWorkersStartedAtOnceNeverDoATenantsDayTwice() async throws {
        let fixture = try await ServiceFixture.make("workerpair")
        var slugs: [String] = []
        for index in 0..<3 {
            let tenant = try await fixture.tenant("pair\(index)")
            try await SyntheticBook.write(into: tenant, service: fixture.service, clients: 4)
            slugs.append(tenant.slug)
        }
        async let first = worker(["run", "--from", "2013-04-01", "--to", "2013-04-10", "--jobs", "2"], fixture)
        async let second = worker(["run", "--from", "2013-04-01", "--to", "2013-04-10", "--jobs", "2"], fixture)
        let results = try await [first, second]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        // "N tenant days done": together exactly one per tenant and day.
        let done = results.compactMap { result in
            result.stdout.split(separator: " ").firstIndex(of: "tenant").flatMap { Int(result.stdout.split(separator: " ")[$0 - 1]) }
        }
        #expect(done.reduce(0, +) == slugs.count * 10, "\(results.map(\.stdout))")
        // Counted as the superuser, which row-level security does not filter.
        let connection = try await fixture.database.connect()
        let days = try await connection.query("SELECT count(*) FROM tenant_days").scalar(Int.self)
        await connection.close()
        #expect(days == slugs.count * 10)
    }

    @Test func oneTenantsFailureIsReportedWhileTheOthersComplete() async throws {
        let fixture = try await ServiceFixture.make("workerfail")
        let database = fixture.database
        let good = try await fixture.tenant("good")
        let bad = try await fixture.tenant("bad")
        let connection = try await database.connect()
        // Sabotage one tenant's day inside the database.
        try await connection.simpleQuery("""
            CREATE FUNCTION refuse_snapshot() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk quota exceeded (simulated)'; END $$;
            CREATE TRIGGER refuse_bad BEFORE INSERT ON tenant_days FOR EACH ROW
            WHEN (NEW.tenant_id = '\(bad.id.uuidString.lowercased())') EXECUTE FUNCTION refuse_snapshot();
            """)
        await connection.close()
        let result = try await worker(["run", "--as-of", "2013-06-30"], fixture)
        #expect(result.status == 1)
        #expect(result.stdout.contains("1 tenant days done"))
        #expect(result.stderr.contains("\(bad.slug) 2013-06-30") && result.stderr.contains("disk quota exceeded"))
        let (goodDays, failures) = try await (
            fixture.service.withTenant(good.id) { try await $0.query("SELECT count(*) FROM tenant_days").scalar(Int.self) },
            fixture.service.withTenant(bad.id) { try await $0.query("SELECT count(*) FROM tenant_day_failures").scalar(Int.self) })
        #expect(goodDays == 1)
        #expect(failures == 1)
        let run = try await fixture.worker.asWorker { tx in
            try await tx.query("SELECT tenant_days_done || '/' || tenant_days_failed || ' ' || status FROM worker_runs").scalar(String.self)
        }
        #expect(run == "1/1 failed")
    }

    @Test func runPrintsItsSummaryAsJSONForAProgram() async throws {
        let fixture = try await ServiceFixture.make("workerjson")
        let tenant = try await fixture.tenant("json")
        let result = try await worker(["run", "--tenant", tenant.slug, "--as-of", "2013-06-30", "--format", "json"], fixture)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["tenant_days_done"] as? Int == 1)
        #expect(summary["tenant_days_failed"] as? Int == 0)
        #expect((summary["run_id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
        #expect(summary["failures"] as? [String] == [])
    }
}
