public import CollectionsService
import Foundation
import Postgres

extension DemoBook {
    /// A payday or title lender's dunning: email, SMS and calls before and after the
    /// due date, letters for larger balances, and a plan's own reminders before and
    /// on each instalment's date.
    public static let consumerPolicy: [DunningStep] = [
        DunningStep(name: "due soon", offsetDays: -3, channel: .email, template: "reminder_before_due"),
        DunningStep(name: "due soon text", offsetDays: -1, channel: .sms, template: "text_before_due", appliesTo: .consumer),
        DunningStep(name: "first overdue", offsetDays: 1, channel: .email, template: "first_overdue"),
        DunningStep(name: "overdue text", offsetDays: 3, channel: .sms, template: "text_overdue", appliesTo: .consumer),
        DunningStep(name: "first call", offsetDays: 7, channel: .call, template: "call_script_overdue"),
        DunningStep(name: "second overdue", offsetDays: 14, channel: .email, template: "second_overdue"),
        DunningStep(name: "demand letter", offsetDays: 30, channel: .letter, template: "demand_letter",
                    minimumBalance: [Money(amountMinor: 5_000, currency: "USD"), Money(amountMinor: 5_000, currency: "CAD")]),
        DunningStep(name: "final call", offsetDays: 45, channel: .call, template: "call_script_final"),
        DunningStep(name: "instalment soon", offsetDays: -3, channel: .email, template: "plan_instalment_due",
                    reminds: .instalments),
        DunningStep(name: "instalment today", offsetDays: 0, channel: .sms, template: "plan_instalment_due",
                    appliesTo: .consumer, reminds: .instalments),
    ]

    /// Makes a generated book a consumer lender's: most borrowers people (the rest
    /// small businesses), in several time zones, some consenting to texts (a few
    /// since said STOP), a few under holds, and the lender's dunning policy.
    public static func makeConsumerBook(_ shape: Shape, tenant: Tenant, database: CollectionsDatabase) async throws {
        _ = try await TenantRegistry(database: database).configure(tenant.slug, clientKind: .consumer, actor: "demo")
        _ = try await DunningPolicies(database: database, tenant: tenant.id).set(consumerPolicy, actor: "demo")
        let zones = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "America/Phoenix",
                     "Pacific/Honolulu", "America/Anchorage"]
        let first = shape.lastDay.adding(days: -shape.months * 30)
        try await database.withTenant(tenant.id) { tx in
            try await tx.execute("""
                UPDATE clients c
                SET kind = CASE WHEN abs(hashtext(c.ref || 'kind')) % 5 = 0 THEN 'commercial' END,
                    time_zone = CASE WHEN abs(hashtext(c.ref || 'tz')) % 3 = 0
                                     THEN (\(zones))[1 + abs(hashtext(c.ref || 'zone')) % \(Int32(zones.count))] END
                WHERE c.tenant_id = \(tenant.id)
                """)
            // Consents to texts, given when the loan was taken out.
            try await tx.insert("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                SELECT \(tenant.id), c.id, 'sms', c.phone, true, 'loan agreement', \(first)::timestamp AT TIME ZONE 'UTC'
                FROM clients c
                WHERE c.tenant_id = \(tenant.id) AND abs(hashtext(c.ref || 'sms')) % 5 < 3
                """)
            // Some borrowers have since texted STOP (the database revokes their consent).
            try await tx.insert("""
                INSERT INTO contact_notes (tenant_id, client_id, noted_at, channel, direction, body)
                SELECT \(tenant.id), c.id,
                       (\(shape.lastDay)::date - abs(hashtext(c.ref || 'stopday')) % 60)::timestamp AT TIME ZONE 'UTC'
                           + interval '15 hours',
                       'sms', 'inbound', 'STOP'
                FROM clients c
                WHERE c.tenant_id = \(tenant.id) AND abs(hashtext(c.ref || 'sms')) % 5 < 3
                  AND abs(hashtext(c.ref || 'stop')) % 25 = 0
                """)
            // Holds: attorneys, bankruptcies, requests to cease, a death, debts being verified.
            try await tx.insert("""
                INSERT INTO client_holds (tenant_id, client_id, kind, starts_on, ends_on, note, recorded_by)
                SELECT \(tenant.id), c.id, h.kind, \(shape.lastDay)::date - 20 - abs(hashtext(c.ref || 'hold')) % 60,
                       CASE WHEN h.kind = 'dispute_verification' THEN \(shape.lastDay)::date + 10 END,
                       'recorded by the demo', 'demo'
                FROM clients c
                CROSS JOIN LATERAL (
                    SELECT (ARRAY['attorney', 'bankruptcy', 'cease_communication', 'deceased', 'dispute_verification',
                                  'attorney'])[1 + abs(hashtext(c.ref || 'holdkind')) % 6] AS kind
                ) h
                WHERE c.tenant_id = \(tenant.id) AND abs(hashtext(c.ref || 'held')) % 50 = 0
                """)
        }
    }
}
