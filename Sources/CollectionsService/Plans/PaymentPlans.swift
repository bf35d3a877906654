public import Foundation
public import Postgres

/// A tenant's payment plans: made, cancelled, shown; every change audited.
///
/// The schedule is `plan_schedule`'s and everything a plan is at a day is
/// `plan_instalments_at`'s (sql/functions/): this type checks what a plan may
/// cover and writes it, in one transaction.
public struct PaymentPlans: Sendable {
    let database: CollectionsDatabase
    let tenant: Tenant

    public init(database: CollectionsDatabase, tenant: Tenant) {
        self.database = database
        self.tenant = tenant
    }

    /// What a new plan is: its client, its instalments and which invoices it covers
    /// (nil: every invoice of the client open on `madeOn`).
    public struct Terms: Sendable, Equatable {
        public var clientRef: String
        public var instalments: Int
        public var every: PlanFrequency
        public var startOn: CalendarDate
        public var invoiceNumbers: [String]?
        /// The day it was agreed (default: the tenant's today); payments count from it.
        public var madeOn: CalendarDate?

        public init(
            clientRef: String, instalments: Int, every: PlanFrequency, startOn: CalendarDate,
            invoiceNumbers: [String]? = nil, madeOn: CalendarDate? = nil
        ) {
            self.clientRef = clientRef
            self.instalments = instalments
            self.every = every
            self.startOn = startOn
            self.invoiceNumbers = invoiceNumbers
            self.madeOn = madeOn
        }
    }

    /// Makes a plan over the client's open invoices (or those named), splitting
    /// their balances on `madeOn` into the instalments. Refused, in words and with
    /// nothing written, for an invoice that is not the client's, not open then
    /// (paid, void, written off, disputed, not issued yet), already on a current
    /// plan, placed with an agency (or its client is), or in another currency than
    /// the rest.
    public func create(_ terms: Terms, actor: String) async throws -> PaymentPlan {
        let actor = try Check.actor(actor)
        guard (1...120).contains(terms.instalments) else {
            throw ServiceError.invalid("instalments must be 1 to 120, not \(terms.instalments)")
        }
        let numbers = terms.invoiceNumbers.map { Array(Set($0)).sorted() }
        if let numbers, numbers.isEmpty { throw ServiceError.invalid("name at least one invoice, or none for all open ones") }
        return try await database.ledger(tenant.id) { tx in
            // The client's row lock: two plans made at once for one client cannot
            // both take the same invoice.
            let client = try await Clients.find(terms.clientRef, tenant: tenant.id, in: tx, lock: true)
            if case .agency = client.status {
                throw ServiceError.invalid("client \(client.ref) is placed with an agency: recall it before a plan")
            }
            let today = try await Ledger.today(tenant.id, in: tx)
            let madeOn = terms.madeOn ?? today
            guard madeOn <= today.adding(days: 366) else {
                throw ServiceError.invalid("a plan is agreed by a year from today (\(today)) at the latest, not on \(madeOn)")
            }
            guard terms.startOn >= madeOn else {
                throw ServiceError.invalid("the first instalment (\(terms.startOn)) cannot fall before the plan is made (\(madeOn))")
            }
            guard terms.startOn <= madeOn.adding(days: 366) else {
                throw ServiceError.invalid("the first instalment (\(terms.startOn)) must fall within a year of the plan (\(madeOn))")
            }
            let candidates = try await tx.query("""
                SELECT s.id, s.number, s.currency, s.status, s.balance_minor, op.plan_id AS current_plan,
                       iv.placed_agency_id IS NOT NULL AS placed
                FROM (\(LedgerSQL.states(tenant.id, asOf: madeOn))) s
                JOIN invoices iv ON iv.tenant_id = \(tenant.id) AND iv.id = s.id
                LEFT JOIN LATERAL (
                    SELECT a.plan_id FROM plan_instalments_at(\(tenant.id), \(madeOn), \(Int32(tenant.promiseGraceDays))::int) a
                    JOIN plan_invoices pi ON pi.tenant_id = \(tenant.id) AND pi.plan_id = a.plan_id AND pi.invoice_id = s.id
                    WHERE a.plan_status = 'current' LIMIT 1
                ) op ON true
                WHERE s.client_id = \(client.id)
                  AND (\(numbers)::text[] IS NULL OR s.number = ANY (\(numbers)::text[]))
                  AND (\(numbers)::text[] IS NOT NULL
                       OR (s.status = 'open' AND op.plan_id IS NULL AND iv.placed_agency_id IS NULL))
                ORDER BY s.due_on, s.number
                """)
            var covered: [(id: UUID, number: String, currency: String, balance: Int64)] = []
            for row in candidates {
                let number: String = try row["number"]
                let status: String = try row["status"]
                guard status == "open" else {
                    throw ServiceError.invalid("invoice \(number) is \(status.replacingOccurrences(of: "_", with: " ")) on \(madeOn): a plan covers open invoices only")
                }
                if try row["placed", as: Bool.self] {
                    throw ServiceError.invalid("invoice \(number) is placed with an agency: recall it before a plan")
                }
                if let plan = try row["current_plan", as: UUID?.self] {
                    throw ServiceError.conflict("invoice \(number) is already on payment plan \(plan.uuidString.lowercased())")
                }
                covered.append((try row["id"], number, try row["currency"], try row["balance_minor"]))
            }
            if let numbers {
                let found = Set(covered.map(\.number))
                if let missing = numbers.first(where: { !found.contains($0) }) {
                    throw ServiceError.notFound("client \(client.ref) has no invoice \(missing)")
                }
            }
            guard let currency = covered.first?.currency else {
                throw ServiceError.invalid("client \(client.ref) has no open invoice that is not on a plan on \(madeOn)")
            }
            let currencies = Set(covered.map(\.currency))
            guard currencies.count == 1 else {
                throw ServiceError.invalid("the invoices are in \(currencies.sorted().joined(separator: " and ")): a plan is in one currency")
            }
            let total = covered.reduce(Int64(0)) { $0 + $1.balance }
            guard total >= Int64(terms.instalments) else {
                throw ServiceError.invalid("\(Money(amountMinor: total, currency: currency).formatted) cannot be split into \(terms.instalments) instalments of at least one minor unit")
            }
            let ids = covered.map(\.id)
            let balances = covered.map(\.balance)
            // Three statements, not one with writable CTEs, and the rows from
            // bound arrays through `insert`: on Citus an insert from another
            // CTE's rows or from `unnest` is otherwise a COPY into the shards,
            // which row-level security refuses (deploy/citus/README.md).
            guard let id = try await tx.query("""
                INSERT INTO payment_plans (tenant_id, client_id, currency, total_minor, instalment_count, frequency,
                                           start_on, made_on, created_by)
                VALUES (\(tenant.id), \(client.id), \(currency), \(total), \(Int32(terms.instalments))::int,
                        \(terms.every.rawValue), \(terms.startOn), \(madeOn), \(actor))
                RETURNING id
                """).scalar(UUID.self) else {
                throw PostgresError(kind: .decoding, message: "the new plan's id did not come back")
            }
            try await tx.insert("""
                INSERT INTO plan_invoices (tenant_id, plan_id, invoice_id, covered_minor)
                SELECT \(tenant.id), \(id), c.invoice_id, c.balance
                FROM unnest(\(ids)::uuid[], \(balances)::bigint[]) AS c(invoice_id, balance)
                """)
            try await tx.insert("""
                INSERT INTO plan_instalments (tenant_id, plan_id, seq, due_on, amount_minor)
                SELECT \(tenant.id), \(id), s.seq, s.due_on, s.amount_minor
                FROM plan_schedule(\(total), \(Int32(terms.instalments))::int, \(terms.every.rawValue), \(terms.startOn)) s
                """)
            guard let plan = try await Self.find(id, tenant: tenant, asOf: madeOn, in: tx) else {
                throw PostgresError(kind: .decoding, message: "the new plan could not be read back")
            }
            try await Audit.record(tx, tenant: tenant.id, actor: actor, action: "create", entity: "payment_plan",
                                   entityID: id.uuidString.lowercased(), before: nil, after: plan)
            return plan
        }
    }

    /// Cancels a current plan from `on` (default: the tenant's today): from that day
    /// its invoices accrue late fees and get dunning again, and nothing of it is
    /// judged any more.
    public func cancel(_ id: UUID, on: CalendarDate? = nil, reason: String? = nil, actor: String) async throws -> PaymentPlan {
        let actor = try Check.actor(actor)
        let reason = try Check.optionalText(reason, "the reason", 1...1000)
        return try await database.ledger(tenant.id) { tx in
            let today = try await Ledger.today(tenant.id, in: tx)
            let on = on ?? today
            guard try await tx.query("""
                SELECT 1 FROM payment_plans p WHERE p.tenant_id = \(tenant.id) AND p.id = \(id) FOR UPDATE
                """).first != nil, let before = try await Self.find(id, tenant: tenant, asOf: on, in: tx) else {
                throw ServiceError.notFound("no payment plan \(id.uuidString.lowercased())")
            }
            guard on >= before.madeOn else {
                throw ServiceError.invalid("a plan made on \(before.madeOn) cannot be cancelled on \(on)")
            }
            guard before.status == .current else {
                throw ServiceError.conflict("payment plan \(id.uuidString.lowercased()) is \(before.status.rawValue) on \(on), not current")
            }
            try await tx.execute("""
                UPDATE payment_plans p SET cancelled_on = \(on), cancel_reason = \(reason)
                WHERE p.tenant_id = \(tenant.id) AND p.id = \(id)
                """)
            guard let after = try await Self.find(id, tenant: tenant, asOf: max(on, today), in: tx) else {
                throw PostgresError(kind: .decoding, message: "the cancelled plan could not be read back")
            }
            try await Audit.record(tx, tenant: tenant.id, actor: actor, action: "cancel", entity: "payment_plan",
                                   entityID: id.uuidString.lowercased(), before: before, after: after)
            return after
        }
    }

    /// The plan as of `asOf` (default: the tenant's today, or the day it was made
    /// when that is later).
    public func show(_ id: UUID, asOf: CalendarDate? = nil) async throws -> PaymentPlan {
        try await database.ledger(tenant.id, readOnly: true) { tx in
            let day = try await Self.day(asOf, plan: id, tenant: tenant, in: tx)
            guard let plan = try await Self.find(id, tenant: tenant, asOf: day, in: tx) else {
                throw ServiceError.notFound("no payment plan \(id.uuidString.lowercased())")
            }
            return plan
        }
    }

    /// The tenant's plans made by `asOf` (default: the tenant's today) as they stand
    /// then, newest first; only one client's with `clientRef`.
    public func list(asOf: CalendarDate? = nil, clientRef: String? = nil) async throws -> [PaymentPlan] {
        try await database.ledger(tenant.id, readOnly: true) { tx in
            let day = if let asOf { asOf } else { try await Ledger.today(tenant.id, in: tx) }
            let client = if let clientRef { try await Clients.find(clientRef, tenant: tenant.id, in: tx).id } else { UUID?.none }
            return try PaymentPlan.plans(from: try await tx.query(Self.listSQL(tenant: tenant, asOf: day, client: client)), asOf: day)
        }
    }

    /// `list`'s query: the plans (of `client`, or all) as they stand at `day`, newest first.
    static func listSQL(tenant: Tenant, asOf day: CalendarDate, client: UUID?) -> SQL {
        """
        \(select(tenant: tenant, asOf: day))
        WHERE (\(client)::uuid IS NULL OR p.client_id = \(client))
        ORDER BY p.made_on DESC, p.created_at DESC, p.id, a.seq
        """
    }

    /// One page of the tenant's plans made by `asOf` (default: the tenant's today),
    /// in the order they were made (keyset on when they were recorded and their id,
    /// so plans made meanwhile never shift a page), optionally one client's.
    public func page(
        asOf: CalendarDate? = nil, clientRef: String? = nil, after cursor: String? = nil, limit: Int = 50
    ) async throws -> (plans: [PaymentPlan], nextCursor: String?) {
        let limit = try Check.limit(limit)
        // A cursor that names no plan of this tenant is as good as the start's end.
        let after = try cursor.map { text in
            guard let id = UUID(uuidString: text) else { throw ServiceError.invalid("the cursor is not a plan id") }
            return id
        }
        return try await database.ledger(tenant.id, readOnly: true) { tx in
            let day = if let asOf { asOf } else { try await Ledger.today(tenant.id, in: tx) }
            let client = if let clientRef { try await Clients.find(clientRef, tenant: tenant.id, in: tx).id } else { UUID?.none }
            let ids = try await tx.query("""
                SELECT p.id FROM payment_plans p
                WHERE p.tenant_id = \(tenant.id) AND p.made_on <= \(day)
                  AND (\(client)::uuid IS NULL OR p.client_id = \(client))
                  AND (\(after)::uuid IS NULL OR (p.created_at, p.id) > (
                      SELECT q.created_at, q.id FROM payment_plans q WHERE q.tenant_id = \(tenant.id) AND q.id = \(after)))
                ORDER BY p.created_at, p.id
                LIMIT \(Int32(limit + 1))
                """).map { try $0.decode(UUID.self, at: 0) }
            let shown = Array(ids.prefix(limit))
            let plans = try PaymentPlan.plans(from: try await tx.query("""
                \(Self.select(tenant: tenant, asOf: day))
                WHERE p.id = ANY (\(shown)::uuid[])
                ORDER BY p.created_at, p.id, a.seq
                """), asOf: day)
            return (plans, ids.count > limit ? shown.last?.uuidString.lowercased() : nil)
        }
    }

    static func select(tenant: Tenant, asOf: CalendarDate) -> SQL {
        """
        SELECT \(unescaped: PaymentPlan.columns)
        FROM plan_instalments_at(\(tenant.id), \(asOf), \(Int32(tenant.promiseGraceDays))::int) a
        JOIN payment_plans p ON p.tenant_id = \(tenant.id) AND p.id = a.plan_id
        JOIN clients c ON c.tenant_id = \(tenant.id) AND c.id = p.client_id
        """
    }

    static func find(_ id: UUID, tenant: Tenant, asOf: CalendarDate, in tx: PostgresConnection) async throws -> PaymentPlan? {
        try PaymentPlan.plans(from: try await tx.query("""
            \(select(tenant: tenant, asOf: asOf)) WHERE p.id = \(id) ORDER BY a.seq
            """), asOf: asOf).first
    }

    /// `asOf`, or the tenant's today, but never before the plan was made (a plan
    /// made for a later day is shown as it will start).
    static func day(_ asOf: CalendarDate?, plan: UUID, tenant: Tenant, in tx: PostgresConnection) async throws -> CalendarDate {
        if let asOf { return asOf }
        let today = try await Ledger.today(tenant.id, in: tx)
        let made = try await tx.query("""
            SELECT p.made_on FROM payment_plans p WHERE p.tenant_id = \(tenant.id) AND p.id = \(plan)
            """).scalar(CalendarDate.self)
        return max(today, made ?? today)
    }
}
