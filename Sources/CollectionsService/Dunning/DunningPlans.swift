import Foundation
public import Postgres

/// A tenant's dunning plans, day by day.
public struct DunningPlans: Sendable {
    let database: CollectionsDatabase
    let tenant: Tenant

    public init(database: CollectionsDatabase, tenant: Tenant) {
        self.database = database
        self.tenant = tenant
    }

    /// The plan of `date` (default: the tenant's today).
    public func plan(on date: CalendarDate? = nil) async throws -> DunningPlan {
        let tenant = self.tenant
        let id = tenant.id
        return try await database.ledger(id, readOnly: true) { tx in
            let date = if let date { date } else { try await Ledger.today(id, in: tx) }
            let head = try await tx.query(Self.head(id, date))[0]
            let decided: Bool = try head["decided"]
            let rows = try await tx.query(Self.rows(tenant, date, decided: decided))
            return try Self.plan(tenant: tenant, date: date, head: head, rows: rows)
        }
    }

    /// Whether the day's plan was decided (the worker ran the day before: the
    /// plan is what it stored) and the policy's latest version.
    static func head(_ tenant: UUID, _ date: CalendarDate) -> SQL {
        """
        SELECT EXISTS (SELECT FROM tenant_days d
                       WHERE d.tenant_id = \(tenant) AND d.job = 'daily' AND d.as_of = \(date.adding(days: -1))) AS decided,
               (SELECT max(p.version) FROM dunning_policies p WHERE p.tenant_id = \(tenant)) AS version
        """
    }

    /// The plan's rows: stored when decided, else `dunning_plan` live.
    static func rows(_ tenant: Tenant, _ date: CalendarDate, decided: Bool) -> SQL {
        decided ? stored(tenant.id, date) : live(tenant.id, date, tenant.promiseGraceDays)
    }

    /// The plan read from `head` and its `rows` (in the order they were asked in).
    static func plan(tenant: Tenant, date: CalendarDate, head: PostgresRow, rows: PostgresRows) throws -> DunningPlan {
        let decided: Bool = try head["decided"]
        var version = Int(try head["version", as: Int32?.self] ?? 0)
        var messages: [DunningPlan.Message] = []
        var suppressed: [DunningPlan.Suppression] = []
        for row in rows {
            let client: String = try row["client_ref"]
            let channel = try row.decodeKnown(DunningChannel.self, column: "channel", "channel")
            let invoice: String? = try row["invoice_number"]
            let instalment: String? = try row["instalment"]
            let step: String = try row["step"]
            let currency: String = try row["currency"]
            let balance: Int64 = try row["balance_minor"]
            if decided { version = Int(try row["policy_version", as: Int32.self]) }
            if let rule: String = try row["rule"] {
                let reason: String = try row["reason"]
                if let last = suppressed.last, last.clientRef == client, last.channel == channel, last.step == step,
                   last.rule == rule, last.reason == reason {
                    suppressed[suppressed.count - 1].invoices += invoice.map { [$0] } ?? []
                    suppressed[suppressed.count - 1].instalments += instalment.map { [$0] } ?? []
                } else {
                    suppressed.append(.init(clientRef: client, channel: channel, step: step,
                                            invoices: invoice.map { [$0] } ?? [],
                                            instalments: instalment.map { [$0] } ?? [], rule: rule, reason: reason))
                }
                continue
            }
            if let last = messages.last, last.clientRef == client, last.channel == channel {
                var message = last
                message.invoices += invoice.map { [$0] } ?? []
                message.instalments += instalment.map { [$0] } ?? []
                if let index = message.amounts.firstIndex(where: { $0.currency == currency }) {
                    message.amounts[index].amountMinor += balance
                } else {
                    message.amounts.append(.init(currency: currency, amountMinor: balance))
                    message.amounts.sort { $0.currency < $1.currency }
                }
                message.currency = message.amounts.count == 1 ? currency : nil
                message.amountMinor = message.amounts.count == 1 ? message.amounts[0].amountMinor : nil
                messages[messages.count - 1] = message
            } else {
                messages.append(.init(
                    clientRef: client, channel: channel, step: try row["message_step"],
                    template: try row["message_template"], invoices: invoice.map { [$0] } ?? [],
                    instalments: instalment.map { [$0] } ?? [], currency: currency,
                    amountMinor: balance, amounts: [.init(currency: currency, amountMinor: balance)],
                    address: try row["address"], timeZone: try row["time_zone"], sendFrom: try row["send_from"],
                    sendUntil: try row["send_until"]))
            }
        }
        return DunningPlan(tenant: tenant.slug, asOf: date, policyVersion: version, decided: decided,
                           messages: messages, suppressed: suppressed)
    }

    /// Rows in the order the plan groups them: messages by client and channel,
    /// suppressions by client, channel, step, rule and reason; invoices by number,
    /// then instalments ("PLAN-ID#SEQ").
    private static let order = """
        ORDER BY client_ref, channel, rule IS NOT NULL, step_order, rule, reason, invoice_number NULLS LAST, instalment
        """

    static func live(_ tenant: UUID, _ date: CalendarDate, _ graceDays: Int) -> SQL {
        """
        SELECT c.ref AS client_ref, p.channel, i.number AS invoice_number,
               p.plan_id::text || '#' || p.instalment_seq AS instalment, p.policy_version, p.step,
               first_value(p.step) OVER w AS message_step, first_value(p.template) OVER w AS message_template,
               p.currency::text AS currency, p.balance_minor, p.address, p.time_zone, p.send_from, p.send_until,
               p.rule, p.reason, CASE WHEN p.rule IS NULL THEN '' ELSE p.step END AS step_order
        FROM dunning_plan(\(tenant), \(date), \(Int32(graceDays))::int) p
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
        LEFT JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = p.invoice_id
        WINDOW w AS (PARTITION BY p.client_id, p.channel, p.rule IS NULL ORDER BY p.step_position DESC)
        \(unescaped: order)
        """
    }

    static func stored(_ tenant: UUID, _ date: CalendarDate) -> SQL {
        """
        SELECT * FROM (
            SELECT c.ref AS client_ref, mi.channel, i.number AS invoice_number, NULL::text AS instalment,
                   m.policy_version, mi.step,
                   m.step AS message_step, m.template AS message_template, mi.currency::text AS currency,
                   mi.balance_minor, m.address, m.time_zone, m.send_from, m.send_until,
                   NULL::text AS rule, NULL::text AS reason, '' AS step_order
            FROM dunning_message_invoices mi
            JOIN dunning_messages m
              ON m.tenant_id = \(tenant) AND m.client_id = mi.client_id AND m.channel = mi.channel
             AND m.scheduled_on = mi.scheduled_on
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = mi.client_id
            JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = mi.invoice_id
            WHERE mi.tenant_id = \(tenant) AND mi.scheduled_on = \(date)
            UNION ALL
            SELECT c.ref, mn.channel, NULL, mn.plan_id::text || '#' || mn.seq, m.policy_version, mn.step,
                   m.step, m.template, mn.currency::text, mn.balance_minor, m.address, m.time_zone, m.send_from,
                   m.send_until, NULL, NULL, ''
            FROM dunning_message_instalments mn
            JOIN dunning_messages m
              ON m.tenant_id = \(tenant) AND m.client_id = mn.client_id AND m.channel = mn.channel
             AND m.scheduled_on = mn.scheduled_on
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = mn.client_id
            WHERE mn.tenant_id = \(tenant) AND mn.scheduled_on = \(date)
            UNION ALL
            SELECT c.ref, s.channel, i.number, NULL, s.policy_version, s.step, s.step, NULL, s.currency::text,
                   s.balance_minor, NULL, NULL, NULL, NULL, s.rule, s.reason, s.step
            FROM dunning_suppressions s
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = s.client_id
            JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = s.invoice_id
            WHERE s.tenant_id = \(tenant) AND s.scheduled_on = \(date)
            UNION ALL
            SELECT c.ref, s.channel, NULL, s.plan_id::text || '#' || s.seq, s.policy_version, s.step, s.step, NULL,
                   s.currency::text, s.balance_minor, NULL, NULL, NULL, NULL, s.rule, s.reason, s.step
            FROM dunning_instalment_suppressions s
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = s.client_id
            WHERE s.tenant_id = \(tenant) AND s.scheduled_on = \(date)
        ) r
        \(unescaped: order)
        """
    }
}
