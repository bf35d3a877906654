import Foundation
import Postgres

/// How the worklist scores a client: points for what makes a call urgent, minus
/// points for what makes chasing wrong or premature. Every rule is one reason on
/// the worklist, so a collector can see why a client is where it is.
public struct WorklistRules: Sendable, Codable, Equatable {
    /// Undisputed overdue balance: this many points per tenfold of the amount in
    /// major units (10 x log10: 100.00 is 20, 12,345.00 is 41), rounded, at
    /// least 0. With several currencies, the largest score of them (amounts are
    /// never added across currencies).
    public var overduePointsPerTenfold: Int
    public var overdueMaxPoints: Int
    /// Oldest undisputed overdue invoice: a point per this many days past due.
    public var daysPastDuePerPoint: Int
    public var daysPastDueMaxPoints: Int
    /// Promises to pay broken (by the rule of `ContactNotes.promises`) in the
    /// last `brokenPromiseWindowDays` days up to the as-of date.
    public var pointsPerBrokenPromise: Int
    public var brokenPromiseMaxPoints: Int
    public var brokenPromiseWindowDays: Int
    /// The follow-up date of the client's latest note is on or before the as-of date.
    public var followUpPoints: Int
    /// Taken off per invoice in dispute with a balance: disputed balance is not chased.
    public var pointsPerDisputedInvoice: Int
    public var disputeMaxPoints: Int
    /// Taken off while the client has an open promise to pay (not yet past its
    /// date plus grace, not yet kept): give the promise its chance.
    public var openPromisePoints: Int

    public init(
        overduePointsPerTenfold: Int = 10, overdueMaxPoints: Int = 50, daysPastDuePerPoint: Int = 3,
        daysPastDueMaxPoints: Int = 30, pointsPerBrokenPromise: Int = 15, brokenPromiseMaxPoints: Int = 30,
        brokenPromiseWindowDays: Int = 90, followUpPoints: Int = 20, pointsPerDisputedInvoice: Int = 10,
        disputeMaxPoints: Int = 30, openPromisePoints: Int = 50
    ) {
        self.overduePointsPerTenfold = overduePointsPerTenfold
        self.overdueMaxPoints = overdueMaxPoints
        self.daysPastDuePerPoint = daysPastDuePerPoint
        self.daysPastDueMaxPoints = daysPastDueMaxPoints
        self.pointsPerBrokenPromise = pointsPerBrokenPromise
        self.brokenPromiseMaxPoints = brokenPromiseMaxPoints
        self.brokenPromiseWindowDays = brokenPromiseWindowDays
        self.followUpPoints = followUpPoints
        self.pointsPerDisputedInvoice = pointsPerDisputedInvoice
        self.disputeMaxPoints = disputeMaxPoints
        self.openPromisePoints = openPromisePoints
    }

    public static let standard = WorklistRules()

    /// The rules in a few lines, for the top of a printed worklist.
    public var summary: [String] {
        [
            "overdue (undisputed): \(overduePointsPerTenfold) x log10(amount in major units), 0 to \(overdueMaxPoints), the highest of the client's currencies",
            "oldest undisputed invoice: 1 point per \(daysPastDuePerPoint) days past due, at most \(daysPastDueMaxPoints)",
            "promises broken in the last \(brokenPromiseWindowDays) days: +\(pointsPerBrokenPromise) each, at most \(brokenPromiseMaxPoints)",
            "follow-up date of the latest note due: +\(followUpPoints)",
            "invoices in dispute (not chased): -\(pointsPerDisputedInvoice) each, at most -\(disputeMaxPoints)",
            "open promise to pay not yet due: -\(openPromisePoints)",
            "listed: clients with an undisputed overdue balance or a follow-up due; never do-not-contact, closed or agency clients",
        ]
    }

    func validate() throws {
        let values = [
            overduePointsPerTenfold, overdueMaxPoints, daysPastDueMaxPoints, pointsPerBrokenPromise,
            brokenPromiseMaxPoints, followUpPoints, pointsPerDisputedInvoice, disputeMaxPoints, openPromisePoints,
        ]
        guard values.allSatisfy({ (0...1000).contains($0) }) else {
            throw ServiceError.invalid("worklist points must be 0-1000")
        }
        guard (1...3650).contains(daysPastDuePerPoint) else {
            throw ServiceError.invalid("days past due per point must be 1-3650, not \(daysPastDuePerPoint)")
        }
        guard (1...3650).contains(brokenPromiseWindowDays) else {
            throw ServiceError.invalid("the broken-promise window must be 1-3650 days, not \(brokenPromiseWindowDays)")
        }
    }
}

/// One reason a client is where it is on the worklist, and its points.
public struct WorklistReason: Sendable, Codable, Equatable, CustomStringConvertible {
    public var reason: String
    public var points: Int

    public init(reason: String, points: Int) {
        self.reason = reason
        self.points = points
    }

    /// `overdue 12,345.00 USD (+41)`
    public var description: String { "\(reason) (\(points < 0 ? "" : "+")\(points))" }
}

/// A client to contact, its score and the reasons, which add up to the score.
public struct WorklistEntry: Sendable, Codable, Equatable {
    public struct Amount: Sendable, Codable, Equatable {
        public var currency: String
        public var amountMinor: Int64

        public init(currency: String, amountMinor: Int64) {
            self.currency = currency
            self.amountMinor = amountMinor
        }

        public var money: Money { Money(amountMinor: amountMinor, currency: currency) }

        enum CodingKeys: String, CodingKey {
            case currency
            case amountMinor = "amount_minor"
        }
    }

    /// 1 for the first client to contact.
    public var rank: Int
    public var clientRef: String
    public var clientName: String
    public var collector: String?
    public var score: Int
    /// Undisputed overdue balance per currency, by currency code.
    public var overdue: [Amount]
    /// Of the oldest undisputed overdue invoice; nil with nothing overdue.
    public var oldestDaysPastDue: Int?
    public var reasons: [WorklistReason]

    public init(
        rank: Int, clientRef: String, clientName: String, collector: String?, score: Int, overdue: [Amount],
        oldestDaysPastDue: Int?, reasons: [WorklistReason]
    ) {
        self.rank = rank
        self.clientRef = clientRef
        self.clientName = clientName
        self.collector = collector
        self.score = score
        self.overdue = overdue
        self.oldestDaysPastDue = oldestDaysPastDue
        self.reasons = reasons
    }

    enum CodingKeys: String, CodingKey {
        case rank
        case clientRef = "client_ref"
        case clientName = "client_name"
        case collector, score, overdue
        case oldestDaysPastDue = "oldest_days_past_due"
        case reasons
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(clientRef, forKey: .clientRef)
        try container.encode(clientName, forKey: .clientName)
        try container.encodeOrNull(collector, forKey: .collector)
        try container.encode(score, forKey: .score)
        try container.encode(overdue, forKey: .overdue)
        try container.encodeOrNull(oldestDaysPastDue, forKey: .oldestDaysPastDue)
        try container.encode(reasons, forKey: .reasons)
    }
}

/// The worklist of a day: who to contact, best first, and how many clients that
/// would have been on it were left off because they must not be chased.
public struct WorklistReport: Sendable, Codable, Equatable {
    /// Clients left off the list; each counted once, by the first that applies:
    /// closed, with an agency, do not contact.
    public struct Excluded: Sendable, Codable, Equatable {
        public var closed: Int
        public var agency: Int
        public var doNotContact: Int
        public var total: Int { closed + agency + doNotContact }

        public init(closed: Int, agency: Int, doNotContact: Int) {
            self.closed = closed
            self.agency = agency
            self.doNotContact = doNotContact
        }

        enum CodingKeys: String, CodingKey {
            case closed, agency
            case doNotContact = "do_not_contact"
        }
    }

    public var asOf: CalendarDate
    public var collector: String?
    public var rules: WorklistRules
    public var entries: [WorklistEntry]
    public var excluded: Excluded
}

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
    /// collector's clients when `collector` is given, the first `limit` clients.
    public func compute(
        asOf: CalendarDate? = nil, collector: String? = nil, limit: Int = 50, rules: WorklistRules = .standard
    ) async throws -> WorklistReport {
        let limit = try Check.limit(limit)
        let collector = try Check.optionalText(collector, "the collector", 1...200)
        try rules.validate()
        return try await database.ledger(tenant, readOnly: true) { tx in
            let day = try await asOf.orToday(tx)
            let rows = try await Reporting.run(Self.statement(asOf: day, collector: collector, limit: limit, rules: rules), in: tx)
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
            return WorklistReport(asOf: day, collector: collector, rules: rules, entries: entries, excluded: excluded)
        }
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
    static func statement(asOf day: CalendarDate, collector: String?, limit: Int, rules: WorklistRules) -> SQL {
        let collectorFilter: SQL = collector.map { "c.assigned_collector = \($0)" } ?? "TRUE"
        return """
            WITH
            -- Balances owed at the day, per client and currency: overdue and not
            -- disputed (chased), and disputed (not chased).
            by_currency AS (
                SELECT b.client_id, b.currency,
                       coalesce(report_sum(b.balance_minor) FILTER (WHERE b.days_past_due > 0 AND NOT b.disputed), 0)
                           AS overdue_minor,
                       max(b.days_past_due) FILTER (WHERE b.days_past_due > 0 AND NOT b.disputed) AS oldest_days,
                       coalesce(report_sum(b.balance_minor) FILTER (WHERE b.disputed), 0) AS disputed_minor,
                       count(*) FILTER (WHERE b.disputed) AS disputed_invoices
                FROM report_invoice_balances(\(day)) b
                WHERE b.balance_minor > 0
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
                FROM (\(PromiseSQL.states(asOf: day))) p
                GROUP BY 1
            ),
            -- The follow-up date of each client's latest note (by its time), when due.
            follow_ups AS (
                SELECT l.client_id, l.follow_up_on
                FROM (
                    SELECT DISTINCT ON (n.client_id) n.client_id, n.follow_up_on
                    FROM contact_notes n
                    JOIN tenants t ON t.id = (SELECT current_tenant_id())
                    WHERE n.tenant_id = (SELECT current_tenant_id())
                      AND (n.noted_at AT TIME ZONE t.time_zone)::date <= \(day)::date
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
                WHERE c.tenant_id = (SELECT current_tenant_id())
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
