import CollectionsService
import Foundation
import Postgres
import TestSupport

/// A tenant whose clients each have one invoice due on `day`, with the dunning
/// policy "due today" by email (and by text for the clients who consented), and
/// the worker's run of the day before, which queued `day`'s messages.
enum DeliveryBook {
    static let policy: [DunningStep] = [
        DunningStep(name: "due today", offsetDays: 0, channel: .email, template: "reminder_due"),
        DunningStep(name: "due today by text", offsetDays: 0, channel: .sms, template: "reminder_due"),
    ]

    /// `emails[i]` is client i's address (nil: none); `texted` clients have a
    /// phone and consent to texts.
    static func make(
        _ fixture: ServiceFixture, day: CalendarDate, zone: String, emails: [String?], texted: Set<Int> = []
    ) async throws -> Tenant {
        let tenant = try await fixture.tenant("dlv", timeZone: zone)
        _ = try await DunningPolicies(database: fixture.service, tenant: tenant.id).set(policy, actor: "test")
        try await fixture.service.withTenant(tenant.id) { tx in
            let t = tenant.id
            let refs = emails.indices.map { String(format: "C%05d", $0) }
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name, email, phone)
                SELECT \(t), v.ref, 'Client ' || v.ref, v.email,
                       CASE WHEN v.n - 1 = ANY(\(texted.map(Int32.init))::int[]) THEN '+1555' || lpad(v.n::text, 7, '0') END
                FROM unnest(\(refs)::text[], \(emails)::text[]) WITH ORDINALITY AS v(ref, email, n)
                """)
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
                SELECT \(t), c.id, 'INV-' || c.ref, 'USD', 12345, \(day)::date - 30, \(day)
                FROM clients c WHERE c.tenant_id = \(t)
                """)
            try await tx.execute("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                SELECT \(t), c.id, 'sms', c.phone, true, 'web form', now() - interval '400 days'
                FROM clients c WHERE c.tenant_id = \(t) AND c.phone IS NOT NULL
                """)
        }
        _ = try await TenantDay(database: fixture.service)
            .run(tenant: tenant, asOf: day.adding(days: -1), runID: nil, onlyIfNotDone: false)
        return tenant
    }

    /// The instant of `time` (HH:MM) on `day` in `zone`.
    static func instant(_ day: CalendarDate, _ time: String, _ zone: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.date(from: "\(day) \(time):00")!
    }

    /// Each message's channel, status, attempts and rule, by client ref.
    static func outbox(_ fixture: ServiceFixture, _ tenant: Tenant) async throws -> [String: [String]] {
        let rows = try await fixture.service.withTenant(tenant.id) { tx in
            try await tx.query("""
                SELECT c.ref, m.channel, m.status, m.attempts, coalesce(m.rule, '')
                FROM dunning_messages m JOIN clients c ON c.tenant_id = \(tenant.id) AND c.id = m.client_id
                WHERE m.tenant_id = \(tenant.id) ORDER BY c.ref, m.channel
                """).decode((String, String, String, Int32, String).self)
        }
        return Dictionary(grouping: rows, by: { $0.0 }).mapValues { list in
            list.map { "\($0.1) \($0.2) \($0.3)\($0.4.isEmpty ? "" : " " + $0.4)" }
        }
    }
}
