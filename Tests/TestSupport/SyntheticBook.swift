public import CollectionsService
import Foundation
import Postgres

/// A deterministic book written straight into a tenant's tables: the same
/// arguments give the same facts in any tenant, so two tenants can be compared
/// row for row after different ways of running the worker.
public enum SyntheticBook {
    /// `clients` clients with `invoicesPerClient` invoices each over the first half of
    /// 2013, in USD and EUR, with flat and percentage late-fee policies, partial and
    /// full payments (some reversed), disputes, write-offs, and promise notes; with
    /// `plans`, payment plans too (monthly over some clients' USD invoices, every
    /// two weeks over others' EUR ones), which the payments then keep or default.
    public static func write(
        into tenant: Tenant, service: CollectionsDatabase, clients: Int = 12, invoicesPerClient: Int = 10,
        plans: Bool = false
    ) async throws {
        try await service.withTenant(tenant.id) { tx in
            try await tx.execute("""
                INSERT INTO clients (tenant_id, ref, name, email, payment_terms_days)
                SELECT current_tenant_id(), 'C' || lpad(c::text, 4, '0'), 'Client ' || c, 'ap' || c || '@client.example', 30
                FROM generate_series(1, \(Int32(clients))) c
                """)
            try await tx.execute("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on,
                                      late_fee_policy, late_fee_flat_minor, late_fee_percent_bp, late_fee_grace_days)
                SELECT current_tenant_id(), cl.id, 'INV-' || cl.ref || '-' || i,
                       CASE WHEN (c + i) % 5 = 0 THEN 'EUR' ELSE 'USD' END,
                       10000 + ((c * 7919 + i * 104729) % 90000),
                       DATE '2013-01-01' + ((c * 13 + i * 17) % 150),
                       DATE '2013-01-01' + ((c * 13 + i * 17) % 150) + 30,
                       CASE (c + i) % 3 WHEN 0 THEN 'none' WHEN 1 THEN 'flat' ELSE 'percent' END,
                       CASE WHEN (c + i) % 3 = 1 THEN 2500 END,
                       CASE WHEN (c + i) % 3 = 2 THEN 150 END,
                       (c + i) % 4 * 5
                FROM generate_series(1, \(Int32(clients))) c
                JOIN clients cl ON cl.ref = 'C' || lpad(c::text, 4, '0')
                CROSS JOIN generate_series(1, \(Int32(invoicesPerClient))) i
                """)
            // Two in three invoices get paid, some late, some in part.
            try await tx.execute("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, reversed_on)
                SELECT current_tenant_id(), inv.client_id, 'PAY-' || inv.number, inv.currency,
                       CASE WHEN n % 4 = 0 THEN inv.amount_minor / 2 ELSE inv.amount_minor END,
                       inv.due_on - 10 + (n % 50),
                       CASE WHEN n % 17 = 0 THEN inv.due_on - 10 + (n % 50) + 5 END
                FROM (SELECT i.*, row_number() OVER (ORDER BY i.number)::int AS n FROM invoices i) inv
                WHERE n % 3 <> 0
                """)
            try await tx.execute("""
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT current_tenant_id(), p.id, i.id, p.amount_minor, p.received_on
                FROM payments p JOIN invoices i ON 'PAY-' || i.number = p.reference
                """)
            try await tx.execute("""
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason, resolved_on, resolution)
                SELECT current_tenant_id(), i.id, i.amount_minor, i.due_on + 3, 'goods damaged',
                       CASE WHEN n % 2 = 0 THEN i.due_on + 40 END, CASE WHEN n % 2 = 0 THEN 'credit agreed' END
                FROM (SELECT i.*, row_number() OVER (ORDER BY i.number)::int AS n FROM invoices i) i WHERE n % 11 = 0
                """)
            try await tx.execute("""
                INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                SELECT current_tenant_id(), i.id, i.amount_minor / 4, i.due_on + 60, 'uncollectable part'
                FROM (SELECT i.*, row_number() OVER (ORDER BY i.number)::int AS n FROM invoices i) i WHERE n % 13 = 0
                """)
            try await tx.execute("""
                INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, author, body, outcome,
                                           promise_amount_minor, promise_currency, promise_date, satisfaction)
                SELECT current_tenant_id(), i.client_id, i.id, (i.due_on + 5)::timestamp AT TIME ZONE 'UTC', 'call', 'collector',
                       'Called about ' || i.number, 'promise_to_pay', i.amount_minor / 2, i.currency, i.due_on + 20,
                       1 + n % 5
                FROM (SELECT i.*, row_number() OVER (ORDER BY i.number)::int AS n FROM invoices i) i WHERE n % 4 = 1
                """)
            guard plans else { return }
            try await tx.execute("""
                INSERT INTO payment_plans (tenant_id, client_id, currency, total_minor, instalment_count, frequency,
                                           start_on, made_on, created_by)
                SELECT current_tenant_id(), i.client_id, i.currency, sum(i.amount_minor), v.count, v.frequency,
                       v.start_on, v.made_on, 'synthetic book'
                FROM invoices i
                JOIN clients c ON c.id = i.client_id
                JOIN (VALUES ('USD', 2, 'month', DATE '2013-05-31', DATE '2013-03-01', 2),
                             ('EUR', 4, '2weeks', DATE '2013-04-15', DATE '2013-04-01', 3))
                     AS v(currency, count, frequency, start_on, made_on, every)
                  ON v.currency = i.currency AND right(c.ref, 4)::int % 4 = v.every % 4
                WHERE i.issued_on <= v.made_on
                GROUP BY i.client_id, i.currency, v.count, v.frequency, v.start_on, v.made_on
                """)
            try await tx.execute("""
                INSERT INTO plan_invoices (tenant_id, plan_id, invoice_id, covered_minor)
                SELECT current_tenant_id(), p.id, i.id, i.amount_minor
                FROM payment_plans p
                JOIN invoices i ON i.client_id = p.client_id AND i.currency = p.currency AND i.issued_on <= p.made_on
                """)
            try await tx.execute("""
                INSERT INTO plan_instalments (tenant_id, plan_id, seq, due_on, amount_minor)
                SELECT current_tenant_id(), p.id, s.seq, s.due_on, s.amount_minor
                FROM payment_plans p
                CROSS JOIN plan_schedule(p.total_minor, p.instalment_count, p.frequency, p.start_on) s
                """)
        }
    }
}
