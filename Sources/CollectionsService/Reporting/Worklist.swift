public import Foundation
public import Postgres

/// The clients a tenant's collectors should contact on a day, ranked by a score
/// whose every point has a reason (see `WorklistRules`).
///
/// Computed in one set-based statement on `report_invoice_balances` and the
/// promise rule (`PromiseSQL.states`): no invoice is read into Swift. Only facts
/// dated on or before the as-of date count, so a past day's worklist is
/// reproducible.
public struct Worklist: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// The worklist as of `asOf` (the tenant's today by default), of one
    /// collector's clients when `collector` is given, of the clients of a team's
    /// collectors when `team` is (both: the collector's, if in that team), the
    /// first `limit` clients. An unknown team or collector is refused, in words: a
    /// misspelt handle is not a collector with nobody to contact.
    public func compute(
        asOf: CalendarDate? = nil, collector: String? = nil, team: String? = nil, limit: Int = 50,
        rules: WorklistRules = .standard
    ) async throws -> WorklistReport {
        let limit = try Check.limit(limit)
        let collector = try Check.optionalText(collector, "the collector", 1...200)
        let team = try Check.optionalText(team, "the team", 1...200)
        try rules.validate()
        return try await database.ledger(tenant, readOnly: true) { tx in
            let day = try await asOf.orToday(tenant, in: tx)
            var teamID: UUID?
            if let team { teamID = try await Collectors.teamID(named: team, tenant: tenant, in: tx) }
            if let collector { _ = try await Collectors.collector(handle: collector, tenant: tenant, in: tx) }
            let rows = try await Reporting.run(
                Self.statement(tenant, asOf: day, collector: collector, teamID: teamID, limit: limit, rules: rules), in: tx)
            var report = try Self.report(rows, asOf: day, collector: collector, team: team, rules: rules)
            if !report.entries.isEmpty {
                try Self.addNextContacts(
                    &report.entries,
                    try await tx.query(Self.nextContactsSQL(tenant, refs: "\(report.entries.map(\.clientRef))::text[]", day: day)))
            }
            return report
        }
    }

    /// The report read from the rows of `statement`.
    static func report(
        _ rows: PostgresRows, asOf day: CalendarDate, collector: String?, team: String?, rules: WorklistRules
    ) throws -> WorklistReport {
        guard let first = rows.first else {
            throw ServiceError(.suspended, "the tenant is suspended or does not exist; nothing was read")
        }
        let excluded = WorklistReport.Excluded(
            closed: try first["excluded_closed"], agency: try first["excluded_agency"],
            doNotContact: try first["excluded_do_not_contact"])
        var entries: [WorklistEntry] = []
        for row in rows {
            // With no client listed, the one row has only the counts.
            guard try row["rank", as: Int?.self] != nil else { continue }
            entries.append(try Self.entry(row, rules: rules))
        }
        return WorklistReport(asOf: day, collector: collector, team: team, rules: rules, entries: entries, excluded: excluded)
    }

    /// Each listed client's next allowed call, from now on the tenant's today, from
    /// the opening of the day's contact hours otherwise (contact_next_allowed), for
    /// the clients whose refs `refs` (a `text[]` expression) names.
    static func nextContactsSQL(_ tenant: UUID, refs: SQL, day: CalendarDate) -> SQL {
        """
        SELECT c.ref, n.allowed_at, to_char(n.allowed_at AT TIME ZONE n.time_zone, 'YYYY-MM-DD HH24:MI') AS allowed_local,
               n.time_zone, n.rule
        FROM tenants t
        JOIN unnest(\(refs)) AS r(ref) ON true
        JOIN clients c ON c.tenant_id = \(tenant) AND c.ref = r.ref
        CROSS JOIN LATERAL contact_next_allowed(
            \(tenant), c.id, \(day), CASE WHEN \(day) = local_date(now(), t.time_zone) THEN now() END) n
        WHERE t.id = \(tenant)
        """
    }

    /// Sets each entry's next allowed call from the rows of `nextContactsSQL`.
    static func addNextContacts(_ entries: inout [WorklistEntry], _ rows: PostgresRows) throws {
        var next: [String: NextContact] = [:]
        for row in rows {
            next[try row["ref"]] = NextContact(
                allowedAt: try row["allowed_at"], allowedLocal: try row["allowed_local"], timeZone: try row["time_zone"],
                rule: try row["rule"])
        }
        for index in entries.indices { entries[index].nextContact = next[entries[index].clientRef] }
    }

    /// The reasons, in words, from the points the statement computed: they add
    /// up to its score by construction.
    static func entry(_ row: PostgresRow, rules: WorklistRules) throws -> WorklistEntry {
        let overdueCurrencies: [String] = try row["overdue_currencies", as: [String]?.self] ?? []
        let overdueAmounts: [Int64] = try row["overdue_amounts", as: [Int64]?.self] ?? []
        let overdue = zip(overdueCurrencies, overdueAmounts).map { WorklistEntry.Amount(currency: $0, amountMinor: $1) }
        let disputedCurrencies: [String] = try row["disputed_currencies", as: [String]?.self] ?? []
        let disputedAmounts: [Int64] = try row["disputed_amounts", as: [Int64]?.self] ?? []
        let disputed = zip(disputedCurrencies, disputedAmounts).map { Money(amountMinor: $1, currency: $0).formatted }
        let oldest: Int? = try row["oldest_days"]

        var reasons: [WorklistReason] = []
        if !overdue.isEmpty {
            let amounts = overdue.map(\.money.formatted).joined(separator: " + ")
            reasons.append(WorklistReason(reason: "overdue \(amounts)", points: try row["overdue_points"]))
        }
        if let oldest {
            reasons.append(WorklistReason(
                reason: "\(oldest) day\(oldest == 1 ? "" : "s") past due", points: try row["age_points"]))
        }
        let broken: Int = try row["broken_promises"]
        if broken > 0 {
            reasons.append(WorklistReason(
                reason: "\(broken) broken promise\(broken == 1 ? "" : "s") in the last \(rules.brokenPromiseWindowDays) days",
                points: try row["broken_points"]))
        }
        if let followUp: CalendarDate = try row["follow_up_on"] {
            reasons.append(WorklistReason(reason: "follow-up due \(followUp)", points: try row["follow_up_points"]))
        }
        let disputes: Int = try row["disputed_invoices"]
        if disputes > 0 {
            reasons.append(WorklistReason(
                reason: "\(disputes) invoice\(disputes == 1 ? "" : "s") in dispute (\(disputed.joined(separator: " + ")))",
                points: try row["dispute_points"]))
        }
        let openPromises: Int = try row["open_promises"]
        if openPromises > 0 {
            let promised = Money(amountMinor: try row["open_amount_minor"], currency: try row["open_currency"])
            let date: CalendarDate = try row["open_promise_date"]
            let more = openPromises > 1 ? " (and \(openPromises - 1) more open)" : ""
            reasons.append(WorklistReason(
                reason: "promise of \(promised.formatted) due \(date)\(more)", points: try row["promise_points"]))
        }
        return WorklistEntry(
            rank: try row["rank"], clientRef: try row["ref"], clientName: try row["name"],
            collector: try row["assigned_collector"], score: try row["score"], overdue: overdue,
            oldestDaysPastDue: oldest, reasons: reasons)
    }

    /// The one statement: a first row always (the excluded counts), then one row
    /// per listed client in rank order (its columns NULL when none is listed).
    static func statement(
        _ tenant: UUID, asOf day: CalendarDate, collector: String?, teamID: UUID? = nil, limit: Int, rules: WorklistRules
    ) -> SQL {
        var collectorFilter: SQL = collector.map { "c.assigned_collector = \($0)" } ?? "TRUE"
        if let teamID {
            // A team's clients: those assigned to one of its collectors (sql/0022).
            collectorFilter.append("""
                 AND EXISTS (SELECT 1 FROM collectors k
                             WHERE k.tenant_id = \(tenant) AND k.handle = c.assigned_collector AND k.team_id = \(teamID))
                """)
        }
        return """
            WITH
            -- Balances owed at the day, per client and currency: overdue and not
            -- disputed (chased), and disputed (not chased). A partial dispute
            -- holds only its amount (report_disputed_minor): the rest is chased.
            by_currency AS (
                SELECT b.client_id, b.currency,
                       coalesce(report_sum(b.balance_minor - b.disputed_minor) FILTER (WHERE b.days_past_due > 0), 0)
                           AS overdue_minor,
                       max(b.days_past_due) FILTER (WHERE b.days_past_due > 0 AND b.balance_minor > b.disputed_minor)
                           AS oldest_days,
                       coalesce(report_sum(b.disputed_minor), 0) AS disputed_minor,
                       count(*) FILTER (WHERE b.disputed) AS disputed_invoices
                FROM report_invoice_balances(\(tenant), \(day)) b
                WHERE b.balance_minor > 0
                  -- An invoice placed with an agency is the agency's to collect (sql/0018); a
                  -- client placed whole is left off below, and counted, by its status.
                  AND NOT EXISTS (SELECT 1 FROM invoices pl
                                  JOIN clients pc ON pc.tenant_id = \(tenant) AND pc.id = pl.client_id
                                  WHERE pl.tenant_id = \(tenant) AND pl.id = b.invoice_id AND pl.placed_agency_id IS NOT NULL
                                    AND pc.status <> 'agency')
                GROUP BY 1, 2
            ),
            balances AS (
                SELECT m.client_id,
                       array_agg(m.currency::text ORDER BY m.currency) FILTER (WHERE m.overdue_minor > 0)
                           AS overdue_currencies,
                       array_agg(m.overdue_minor ORDER BY m.currency) FILTER (WHERE m.overdue_minor > 0)
                           AS overdue_amounts,
                       array_agg(m.currency::text ORDER BY m.currency) FILTER (WHERE m.disputed_minor > 0)
                           AS disputed_currencies,
                       array_agg(m.disputed_minor ORDER BY m.currency) FILTER (WHERE m.disputed_minor > 0)
                           AS disputed_amounts,
                       -- 10 x log10(major units), per currency; the highest counts.
                       max(CASE WHEN m.overdue_minor > 0 THEN
                               least(\(rules.overdueMaxPoints), greatest(0, round(
                                   \(rules.overduePointsPerTenfold)
                                   * log(m.overdue_minor::numeric / power(10::numeric, cu.exponent)))))
                           END)::int AS overdue_points,
                       max(m.oldest_days) AS oldest_days,
                       sum(m.disputed_invoices)::int AS disputed_invoices
                FROM by_currency m
                JOIN currencies cu ON cu.code = m.currency
                GROUP BY 1
            ),
            promises AS (
                SELECT p.client_id,
                       count(*) FILTER (WHERE p.state = 'broken'
                                          AND p.deadline >= \(day)::date - \(rules.brokenPromiseWindowDays)::int)::int
                           AS broken_promises,
                       count(*) FILTER (WHERE p.state = 'open')::int AS open_promises,
                       (array_agg(p.promise_amount_minor ORDER BY p.promise_date, p.noted_at, p.note_id)
                           FILTER (WHERE p.state = 'open'))[1] AS open_amount_minor,
                       (array_agg(p.promise_currency::text ORDER BY p.promise_date, p.noted_at, p.note_id)
                           FILTER (WHERE p.state = 'open'))[1] AS open_currency,
                       (array_agg(p.promise_date ORDER BY p.promise_date, p.noted_at, p.note_id)
                           FILTER (WHERE p.state = 'open'))[1] AS open_promise_date
                FROM (\(PromiseSQL.states(tenant, asOf: day))) p
                GROUP BY 1
            ),
            -- The follow-up date of each client's latest note (by its time), when due.
            follow_ups AS (
                SELECT l.client_id, l.follow_up_on
                FROM (
                    SELECT DISTINCT ON (n.client_id) n.client_id, n.follow_up_on
                    FROM contact_notes n
                    JOIN tenants t ON t.id = \(tenant)
                    WHERE n.tenant_id = \(tenant)
                      AND local_date(n.noted_at, t.time_zone) <= \(day)::date
                    ORDER BY n.client_id, n.noted_at DESC, n.id DESC
                ) l
                WHERE l.follow_up_on <= \(day)::date
            ),
            candidates AS (
                SELECT c.id, c.ref, c.name, c.assigned_collector,
                       CASE WHEN c.status = 'closed' THEN 'closed'
                            WHEN c.status = 'agency' THEN 'agency'
                            WHEN c.do_not_contact THEN 'do_not_contact' END AS excluded_by,
                       b.overdue_currencies, b.overdue_amounts, b.disputed_currencies, b.disputed_amounts,
                       b.oldest_days, coalesce(b.disputed_invoices, 0) AS disputed_invoices,
                       coalesce(p.broken_promises, 0) AS broken_promises, coalesce(p.open_promises, 0) AS open_promises,
                       p.open_amount_minor, p.open_currency, p.open_promise_date, f.follow_up_on,
                       coalesce(b.overdue_points, 0) AS overdue_points,
                       -- (least and greatest ignore NULLs: test for one first)
                       CASE WHEN b.oldest_days IS NULL THEN 0
                            ELSE least(\(rules.daysPastDueMaxPoints), b.oldest_days / \(rules.daysPastDuePerPoint))
                       END::int AS age_points,
                       least(\(rules.brokenPromiseMaxPoints),
                             coalesce(p.broken_promises, 0) * \(rules.pointsPerBrokenPromise))::int AS broken_points,
                       CASE WHEN f.follow_up_on IS NOT NULL THEN \(rules.followUpPoints) ELSE 0 END::int
                           AS follow_up_points,
                       (-least(\(rules.disputeMaxPoints),
                               coalesce(b.disputed_invoices, 0) * \(rules.pointsPerDisputedInvoice)))::int
                           AS dispute_points,
                       CASE WHEN coalesce(p.open_promises, 0) > 0 THEN -\(rules.openPromisePoints) ELSE 0 END::int
                           AS promise_points
                FROM clients c
                LEFT JOIN balances b ON b.client_id = c.id
                LEFT JOIN promises p ON p.client_id = c.id
                LEFT JOIN follow_ups f ON f.client_id = c.id
                WHERE c.tenant_id = \(tenant)
                  AND (b.overdue_currencies IS NOT NULL OR f.follow_up_on IS NOT NULL)
                  AND \(collectorFilter)
            ),
            scored AS (
                SELECT k.*,
                       k.overdue_points + k.age_points + k.broken_points + k.follow_up_points + k.dispute_points
                           + k.promise_points AS score
                FROM candidates k
                WHERE k.excluded_by IS NULL
            ),
            ranked AS (
                SELECT s.*,
                       row_number() OVER (ORDER BY s.score DESC, s.oldest_days DESC NULLS LAST,
                                                   s.overdue_points DESC, s.ref) AS rank
                FROM scored s
            ),
            excluded AS (
                SELECT count(*) FILTER (WHERE k.excluded_by = 'closed')::int AS excluded_closed,
                       count(*) FILTER (WHERE k.excluded_by = 'agency')::int AS excluded_agency,
                       count(*) FILTER (WHERE k.excluded_by = 'do_not_contact')::int AS excluded_do_not_contact
                FROM candidates k
            )
            SELECT x.excluded_closed, x.excluded_agency, x.excluded_do_not_contact,
                   r.rank::int AS rank, r.ref, r.name, r.assigned_collector, r.score::int AS score,
                   r.overdue_currencies, r.overdue_amounts, r.disputed_currencies, r.disputed_amounts,
                   r.oldest_days, r.disputed_invoices, r.broken_promises, r.open_promises, r.open_amount_minor,
                   r.open_currency, r.open_promise_date, r.follow_up_on, r.overdue_points, r.age_points,
                   r.broken_points, r.follow_up_points, r.dispute_points, r.promise_points
            FROM excluded x
            LEFT JOIN ranked r ON r.rank <= \(limit)
            ORDER BY r.rank
            """
    }
}
