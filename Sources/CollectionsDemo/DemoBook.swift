public import CollectionsService
import Foundation
public import Postgres

/// A generated lender's book for the demo: realistic in shape, deterministic in
/// content (a seeded pseudo-random function of the row numbers), written set-based
/// through the app role with the tenant set, like any other tenant write.
///
/// Clients pay on a skewed delay: most within terms, some weeks late, a few very
/// late or never; some pay in part. A share of invoices is disputed, old unpaid
/// balances are partly written off, invoices carry flat or monthly late-fee
/// policies, and collectors' notes hold promises to pay (some kept, some broken)
/// and satisfaction scores.
public enum DemoBook {
    public struct Shape: Sendable {
        public var clients: Int
        public var invoicesPerClient: Int
        /// The book runs for `months` months ending on `lastDay`.
        public var months: Int
        public var lastDay: CalendarDate
        /// The second currency, besides the tenant's default one.
        public var otherCurrency: String
        /// Varies the generated numbers between tenants.
        public var seed: Int

        public init(clients: Int, invoicesPerClient: Int, months: Int, lastDay: CalendarDate, otherCurrency: String, seed: Int) {
            self.clients = clients
            self.invoicesPerClient = invoicesPerClient
            self.months = months
            self.lastDay = lastDay
            self.otherCurrency = otherCurrency
            self.seed = seed
        }
    }

    /// Writes the book; returns the number of invoices written.
    @discardableResult
    public static func write(_ shape: Shape, into tenant: Tenant, database: CollectionsDatabase) async throws -> Int {
        let currency = tenant.defaultCurrency ?? "USD"
        let firstDay = shape.lastDay.adding(days: -shape.months * 30)
        let span = Int32(shape.months * 30)
        let seed = Int32(shape.seed)
        // r(n, k): a deterministic number in [0, 1) from a row number and a salt,
        // written into each statement: a `pg_temp` function would be one the
        // session alone has, and Citus runs statements on its workers' sessions.
        func r(_ n: String, _ k: Int) -> String {
            "((hashint8((\(n))::bigint * 7919 + \(k) * 104729 + \(seed) * 15485863) & 2147483647)::double precision / 2147483648.0)"
        }
        return try await database.withTenant(tenant.id) { tx in
            // Every statement below reads or writes the whole book, mostly rows
            // written moments ago in this transaction, which no statistics know
            // of: the planner takes tables as near empty and picks nested loops
            // over sequential scans (13 s for the applications of 8,000 payments,
            // against 40 ms by hash join).
            try await tx.simpleQuery("SET LOCAL enable_nestloop = off")
            let names = ["Freight", "Motors", "Farms", "Dental", "Logistics", "Diner", "Builders", "Pharmacy", "Auto Repair",
                         "Bakery", "Roofing", "Plumbing", "Transport", "Salon", "Hardware", "Cafe", "Electric", "Printing"]
            let cities = ["Abilene", "Baton Rouge", "Chula Vista", "Dayton", "El Paso", "Fresno", "Gary", "Hialeah", "Irving",
                          "Joliet", "Killeen", "Laredo", "Mesa", "Norman", "Odessa", "Pueblo", "Reno", "Tulsa", "Waco", "Yuma"]
            // The collectors the clients are assigned to (sql/0022: an assignment names a known collector).
            try await tx.execute("""
                INSERT INTO collectors (tenant_id, handle, display_name)
                SELECT \(tenant.id), h, h FROM unnest(ARRAY['Ana', 'Ben', 'Chloe', 'Dev']) AS h
                ON CONFLICT (tenant_id, handle) DO NOTHING
                """)
            try await tx.insert("""
                INSERT INTO clients (tenant_id, ref, name, email, phone, preferred_channel, do_not_contact, payment_terms_days,
                                     credit_limit_minor, currency, status, agency_name, agency_placed_on, assigned_collector)
                SELECT \(tenant.id), 'CL-' || lpad(c::text, 5, '0'),
                       (\(cities))[1 + (c * 7) % \(Int32(cities.count))] || ' ' || (\(names))[1 + (c * 11) % \(Int32(names.count))]
                           || ' ' || c,
                       'ap' || c || '@example.com', '+1-555-' || lpad((c % 10000)::text, 4, '0'),
                       (ARRAY['call','email','sms','letter'])[1 + c % 4],
                       \(unescaped: r("c", 1)) < 0.03,
                       (ARRAY[15, 30, 30, 30, 45, 60])[1 + c % 6],
                       (500 + floor(\(unescaped: r("c", 2)) * 50) * 100)::bigint * 100,
                       CASE WHEN c % 5 = 0 THEN \(shape.otherCurrency) ELSE \(currency) END,
                       CASE WHEN \(unescaped: r("c", 3)) < 0.02 THEN 'agency' WHEN \(unescaped: r("c", 3)) < 0.04 THEN 'on_hold' ELSE 'active' END,
                       CASE WHEN \(unescaped: r("c", 3)) < 0.02 THEN 'Recovery Partners LLC' END,
                       CASE WHEN \(unescaped: r("c", 3)) < 0.02 THEN \(shape.lastDay)::date - 20 END,
                       (ARRAY['Ana', 'Ben', 'Chloe', 'Dev'])[1 + c % 4]
                FROM generate_series(1, \(Int32(shape.clients))) c
                """)
            let invoices = try await tx.insert("""
                INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on,
                                      late_fee_policy, late_fee_flat_minor, late_fee_percent_bp, late_fee_grace_days)
                SELECT \(tenant.id), cl.id, 'INV-' || lpad(c::text, 5, '0') || '-' || lpad(i::text, 3, '0'),
                       cl.currency,
                       -- log-normal-ish amounts: many small, a few large
                       (2500 + floor(exp(\(unescaped: r("c * 1000 + i", 4)) * 7.5)) * 100)::bigint,
                       d.issued, d.issued + cl.payment_terms_days,
                       CASE WHEN c % 3 = 0 THEN 'percent' WHEN c % 3 = 1 THEN 'flat' ELSE 'none' END,
                       CASE WHEN c % 3 = 1 THEN 2500 END,
                       CASE WHEN c % 3 = 0 THEN 150 END,
                       CASE WHEN c % 3 = 2 THEN 0 ELSE 10 END
                FROM generate_series(1, \(Int32(shape.clients))) c
                JOIN clients cl ON cl.tenant_id = \(tenant.id) AND cl.ref = 'CL-' || lpad(c::text, 5, '0')
                CROSS JOIN generate_series(1, \(Int32(shape.invoicesPerClient))) i
                CROSS JOIN LATERAL (SELECT \(firstDay)::date + floor(\(unescaped: r("c * 1000 + i", 5)) * \(span))::int AS issued) d
                """)
            // Payment delay after the due date: 60% early or on time, 25% up to 45 days
            // late, 10% 45-150 days late, 5% never; one payment in eight is partial.
            try await tx.insert("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, method)
                SELECT \(tenant.id), x.client_id, 'PAY-' || x.number, x.currency,
                       CASE WHEN x.partial THEN greatest(100, (x.amount_minor * 0.5)::bigint) ELSE x.amount_minor END,
                       x.paid_on, (ARRAY['ach', 'wire', 'check', 'card'])[1 + (x.n % 4)::int]
                FROM (
                    SELECT i.*, row_number() OVER (ORDER BY i.number) AS n,
                           \(unescaped: r("hashtext(i.number)", 6)) AS u,
                           \(unescaped: r("hashtext(i.number)", 7)) < 0.125 AS partial,
                           i.due_on + CASE
                               WHEN \(unescaped: r("hashtext(i.number)", 6)) < 0.60 THEN -floor(\(unescaped: r("hashtext(i.number)", 8)) * 10)::int
                               WHEN \(unescaped: r("hashtext(i.number)", 6)) < 0.85 THEN floor(\(unescaped: r("hashtext(i.number)", 8)) * 45)::int
                               ELSE 45 + floor(\(unescaped: r("hashtext(i.number)", 8)) * 105)::int END AS paid_on
                    FROM invoices i
                    WHERE i.tenant_id = \(tenant.id)
                ) x
                WHERE x.u < 0.95 AND x.paid_on <= \(shape.lastDay) AND x.paid_on >= x.issued_on
                """)
            try await tx.insert("""
                INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
                SELECT \(tenant.id), p.id, i.id, p.amount_minor, p.received_on
                FROM payments p JOIN invoices i ON i.tenant_id = \(tenant.id) AND i.number = substr(p.reference, 5)
                WHERE p.tenant_id = \(tenant.id)
                """)
            // A bounced cheque now and then: reversed a few days later.
            try await tx.execute("""
                UPDATE payments p SET reversed_on = least(p.received_on + 4, \(shape.lastDay)), reversal_reason = 'cheque returned NSF'
                WHERE p.tenant_id = \(tenant.id) AND p.method = 'check' AND \(unescaped: r("hashtext(p.reference)", 9)) < 0.03
                """)
            // Disputes of whole invoices on 4% of them, most found owed (rejected)
            // within a month; makeDisputes adds partial ones through the service.
            try await tx.insert("""
                INSERT INTO disputes (tenant_id, invoice_id, amount_minor, opened_on, reason_code, reason, resolved_on,
                                      outcome, resolution)
                SELECT \(tenant.id), i.id, i.amount_minor, least(i.due_on + 5, \(shape.lastDay)),
                       (ARRAY['goods_or_service', 'pricing', 'goods_or_service', 'already_paid'])[1 + abs(hashtext(i.number)) % 4],
                       (ARRAY['goods damaged', 'price disagreement', 'not delivered', 'duplicate billing'])[1 + abs(hashtext(i.number)) % 4],
                       CASE WHEN r.resolved THEN i.due_on + 35 END, CASE WHEN r.resolved THEN 'rejected' END,
                       CASE WHEN r.resolved THEN 'the loan agreement shows it is owed' END
                FROM invoices i
                CROSS JOIN LATERAL (SELECT \(unescaped: r("hashtext(i.number)", 11)) < 0.6 AND i.due_on + 35 <= \(shape.lastDay) AS resolved) r
                WHERE i.tenant_id = \(tenant.id) AND \(unescaped: r("hashtext(i.number)", 10)) < 0.04
                """)
            // Unpaid balances older than 150 days: half of them written off in part.
            try await tx.insert("""
                INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                SELECT \(tenant.id), i.id, i.amount_minor / 2, i.due_on + 150, 'uncollectable: debtor insolvent'
                FROM invoices i
                WHERE i.tenant_id = \(tenant.id) AND i.due_on + 150 <= \(shape.lastDay) AND \(unescaped: r("hashtext(i.number)", 12)) < 0.5
                  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.tenant_id = \(tenant.id) AND p.reference = 'PAY-' || i.number)
                """)
            // Collectors' calls on overdue invoices: promises (kept when the payment came
            // in time, broken otherwise), satisfaction scores, follow-ups.
            try await tx.insert("""
                INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, direction, author, body, outcome,
                                           promise_amount_minor, promise_currency, promise_date, satisfaction, follow_up_on)
                SELECT \(tenant.id), i.client_id, i.id,
                       ((i.due_on + 7)::timestamp + interval '10 hours') AT TIME ZONE 'UTC',
                       (ARRAY['call', 'email', 'sms', 'call'])[1 + abs(hashtext(i.number)) % 4], 'outbound',
                       (ARRAY['Ana', 'Ben', 'Chloe', 'Dev'])[1 + abs(hashtext(i.number)) % 4],
                       'Reminder about ' || i.number || ' due ' || i.due_on,
                       CASE WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.45 THEN 'promise_to_pay'
                            WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.65 THEN 'left_message'
                            WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.80 THEN 'no_answer'
                            WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.90 THEN 'payment_arranged'
                            ELSE 'refused' END,
                       CASE WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.45 THEN i.amount_minor END,
                       CASE WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.45 THEN i.currency END,
                       CASE WHEN \(unescaped: r("hashtext(i.number)", 13)) < 0.45 THEN i.due_on + 21 END,
                       CASE WHEN \(unescaped: r("hashtext(i.number)", 14)) < 0.35
                            THEN (ARRAY[5, 4, 4, 3, 5, 2, 4, 1, 5, 4])[1 + abs(hashtext(i.number || 's')) % 10] END,
                       i.due_on + 14
                FROM invoices i
                WHERE i.tenant_id = \(tenant.id) AND i.due_on + 7 <= \(shape.lastDay)
                  AND NOT EXISTS (SELECT 1 FROM payments p
                                  WHERE p.tenant_id = \(tenant.id) AND p.reference = 'PAY-' || i.number AND p.received_on <= i.due_on + 7)
                  AND \(unescaped: r("hashtext(i.number)", 15)) < 0.7
                """)
            return invoices
        }
    }
}
