import CollectionsDemo
import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// `reminder_offsets` became a dunning policy of one email step per offset
/// (sql/0014): on a generated demo book the worker queues the reminders it queued
/// before (`ReminderOffsetsOracle`), one per invoice and day, now grouped per
/// client; the only ones it no longer sends are those the new commercial cap refuses.
@Suite struct ReminderOffsetsPolicyTests {
    static let fixture = Task { try await ServiceFixture.make("reminder_policy") }
    static let lastDay = CalendarDate("2026-11-30")!

    /// Runs 45 days of a demo book; returns (the oracle's rows, the new queue's rows,
    /// the suppressions by rule) over those days.
    static func run(cap: Int) async throws -> (old: [String], new: [String], suppressed: [String: Int]) {
        let fixture = try await Self.fixture.value
        var tenant = try await fixture.tenant("offsets", timeZone: "America/Chicago")
        tenant = try await TenantRegistry(database: fixture.service).configure(
            tenant.slug, promiseGraceDays: 2, commercialCapMessages: cap, actor: "test")
        #expect(try await DunningPolicies(database: fixture.service, tenant: tenant.id).current().steps
                == DunningStep.reminders(offsets: [-3, 1, 7, 14, 30]))
        let shape = DemoBook.Shape(clients: 300, invoicesPerClient: 6, months: 6, lastDay: lastDay, otherCurrency: "CAD", seed: 7)
        try await DemoBook.write(shape, into: tenant, database: fixture.service)
        let day = TenantDay(database: fixture.service)
        var old: [String] = []
        var new: [String] = []
        var suppressed: [String: Int] = [:]
        for offset in -45...(-1) {
            // The run that closes a day queues the next day's messages: both see the
            // book as that run left it (its late fees in).
            _ = try await day.run(tenant: tenant, asOf: lastDay.adding(days: offset), runID: nil, onlyIfNotDone: false)
            let date = lastDay.adding(days: offset + 1)
            old += try await fixture.service.withTenant(tenant.id) { tx in
                try await ReminderOffsetsOracle.queued(tenant: tenant.id, on: date, graceDays: 2, in: tx)
            }
            new += try await Reminders(database: fixture.service, tenant: tenant.id).scheduled(on: date).reminders.map {
                "\($0.scheduledOn) \($0.invoiceNumber) \($0.offsetDays) \($0.balance.amountMinor)"
            }
            for suppression in try await DunningPlans(database: fixture.service, tenant: tenant).plan(on: date).suppressed {
                suppressed[suppression.rule, default: 0] += suppression.invoices.count
            }
        }
        return (old.sorted(), new.sorted(), suppressed)
    }

    @Test func withoutACapTheDemoBookGetsTheSameRemindersAsBefore() async throws {
        let (old, new, _) = try await Self.run(cap: 50)
        #expect(old.count > 300)
        #expect(new == old, "only old: \(Set(old).subtracting(new).sorted()), only new: \(Set(new).subtracting(old).sorted())")
    }

    @Test func withTheDefaultCapOnlyWhatTheCapRefusesIsMissing() async throws {
        let (old, new, suppressed) = try await Self.run(cap: 2)
        let missing = Set(old).subtracting(new)
        #expect(Set(new).isSubset(of: Set(old)))
        #expect(!missing.isEmpty, "the cap of 2 a week refused some of a demo book's reminders")
        #expect(suppressed["commercial_cap"] == missing.count, "\(suppressed)")
    }
}
