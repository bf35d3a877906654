import Foundation
import Postgres

/// What an invoice charges once it is overdue. The worker accrues the fees as
/// dated charges; the policy only says how much.
public enum LateFeePolicy: Sendable, Codable, Equatable {
    case none
    /// A fixed amount, in the invoice's currency, after `graceDays` past due.
    case flat(amountMinor: Int64, graceDays: Int)
    /// Basis points of the overdue balance per month (150 = 1.5%), after `graceDays`.
    case percent(basisPointsPerMonth: Int, graceDays: Int)

    var graceDays: Int {
        switch self {
        case .none: 0
        case .flat(_, let days), .percent(_, let days): days
        }
    }

    func validate() throws {
        switch self {
        case .none:
            break
        case .flat(let amount, _) where amount <= 0:
            throw ServiceError.invalid("a flat late fee must be greater than 0")
        case .percent(let points, _) where !(1...10_000).contains(points):
            throw ServiceError.invalid("a late fee rate must be 1-10000 basis points a month, not \(points)")
        default:
            break
        }
        guard (0...365).contains(graceDays) else {
            throw ServiceError.invalid("late-fee grace must be 0-365 days, not \(graceDays)")
        }
    }
}

/// An invoice as issued (and voided, if it was). Its balance depends on the date
/// asked about: see `InvoiceState`.
public struct Invoice: Sendable, Codable, Equatable {
    public var id: UUID
    public var clientID: UUID
    public var clientRef: String
    /// Unique per tenant.
    public var number: String
    public var currency: String
    public var amountMinor: Int64
    public var issuedOn: CalendarDate
    public var dueOn: CalendarDate
    public var lateFee: LateFeePolicy
    public var voidedOn: CalendarDate?
    public var voidReason: String?

    public var amount: Money { Money(amountMinor: amountMinor, currency: currency) }

    static let columns = """
        i.id, i.client_id, c.ref AS client_ref, i.number, i.currency, i.amount_minor, i.issued_on, i.due_on,
        i.late_fee_policy, i.late_fee_flat_minor, i.late_fee_percent_bp, i.late_fee_grace_days,
        i.voided_on, i.void_reason
        """

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientID = try row["client_id"]
        clientRef = try row["client_ref"]
        number = try row["number"]
        currency = try row["currency"]
        amountMinor = try row["amount_minor"]
        issuedOn = try row["issued_on"]
        dueOn = try row["due_on"]
        let grace: Int = try row["late_fee_grace_days"]
        switch try row["late_fee_policy", as: String.self] {
        case "flat": lateFee = .flat(amountMinor: try row["late_fee_flat_minor"], graceDays: grace)
        case "percent": lateFee = .percent(basisPointsPerMonth: try row["late_fee_percent_bp"], graceDays: grace)
        default: lateFee = .none
        }
        voidedOn = try row["voided_on"]
        voidReason = try row["void_reason"]
    }
}

/// What issuing an invoice takes. Without `dueOn` it falls due the client's
/// payment terms after `issuedOn`.
public struct NewInvoice: Sendable, Codable, Equatable {
    public var clientRef: String
    public var number: String
    public var amount: Money
    public var issuedOn: CalendarDate
    public var dueOn: CalendarDate?
    public var lateFee: LateFeePolicy

    public init(
        clientRef: String, number: String, amount: Money, issuedOn: CalendarDate, dueOn: CalendarDate? = nil,
        lateFee: LateFeePolicy = .none
    ) {
        self.clientRef = clientRef
        self.number = number
        self.amount = amount
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.lateFee = lateFee
    }
}

/// Which invoices `Invoices.list` returns; every field narrows, nil means any.
public struct InvoiceFilter: Sendable, Codable, Equatable {
    public var clientRef: String?
    /// Status as of `asOf`.
    public var status: InvoiceStatus?
    /// Only invoices with something owed past their due date as of `asOf`.
    public var overdueOnly: Bool
    public var currency: String?
    /// The date states are computed for; nil is the tenant's today.
    public var asOf: CalendarDate?

    public init(
        clientRef: String? = nil, status: InvoiceStatus? = nil, overdueOnly: Bool = false, currency: String? = nil,
        asOf: CalendarDate? = nil
    ) {
        self.clientRef = clientRef
        self.status = status
        self.overdueOnly = overdueOnly
        self.currency = currency
        self.asOf = asOf
    }
}

/// A tenant's invoices: issue, look up, list, void. Disputes, write-offs and
/// charges are in LedgerAdjustments.swift; payments in Payment.swift.
public struct Invoices: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    public func create(_ new: NewInvoice, actor: String) async throws -> Invoice {
        let actor = try Check.actor(actor)
        let number = try Check.text(new.number, "the invoice number", 1...64)
        try Check.positive(new.amount, "the invoice amount")
        try new.lateFee.validate()
        if let due = new.dueOn, due < new.issuedOn {
            throw ServiceError.invalid("invoice \(number) would fall due on \(due), before it is issued on \(new.issuedOn)")
        }
        return try await database.ledger(tenant) { tx in
            let client = try await Clients.find(new.clientRef, in: tx)
            let due = new.dueOn ?? new.issuedOn.adding(days: client.paymentTermsDays)
            var flat: Int64?
            var points: Int?
            var policy = "none"
            switch new.lateFee {
            case .none: break
            case .flat(let amount, _): (policy, flat) = ("flat", amount)
            case .percent(let rate, _): (policy, points) = ("percent", rate)
            }
            let id: UUID
            do {
                id = try await tx.query("""
                    INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on,
                        late_fee_policy, late_fee_flat_minor, late_fee_percent_bp, late_fee_grace_days)
                    VALUES (\(tenant), \(client.id), \(number), \(new.amount.currency), \(new.amount.amountMinor),
                        \(new.issuedOn), \(due), \(policy), \(flat), \(points), \(new.lateFee.graceDays))
                    RETURNING id
                    """).scalar(UUID.self)!
            } catch let error as PostgresError where error.kind == .uniqueViolation && error.constraint == "invoices_number_key" {
                throw ServiceError.conflict("invoice number \(number) already exists")
            }
            let invoice = try await Self.find(id: id, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "invoice",
                                   entityID: number, before: nil, after: invoice)
            return invoice
        }
    }

    /// The invoice and its balance and status as of `asOf` (the tenant's today by default).
    public func get(_ number: String, asOf: CalendarDate? = nil) async throws -> InvoiceState {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tx)
            guard let row = try await tx.query("\(LedgerSQL.states(asOf: date)) WHERE s.number = \(number)").first else {
                throw ServiceError.notFound("no invoice \(number)")
            }
            return try InvoiceState(row: row)
        }
    }

    /// Invoices in number order with their state as of `filter.asOf`, `limit` at a
    /// time, after the cursor `after` (an invoice number).
    public func list(_ filter: InvoiceFilter = InvoiceFilter(), after cursor: String? = nil, limit: Int = 50)
        async throws -> Page<InvoiceState>
    {
        let limit = try Check.limit(limit)
        if let currency = filter.currency { try Currency.validate(currency) }
        return try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await filter.asOf.orToday(tx)
            var conditions: SQL = "TRUE"
            if let ref = filter.clientRef {
                let client = try await Clients.find(ref, in: tx)
                conditions.append(" AND s.client_id = \(client.id)")
            }
            if let status = filter.status { conditions.append(" AND s.status = \(status.rawValue)") }
            if filter.overdueOnly { conditions.append(" AND s.days_past_due > 0") }
            if let currency = filter.currency { conditions.append(" AND s.currency = \(currency)") }
            if let cursor { conditions.append(" AND s.number > \(cursor)") }
            let states = try await tx.query("""
                \(LedgerSQL.states(asOf: date)) WHERE \(conditions) ORDER BY s.number LIMIT \(limit + 1)
                """).map(InvoiceState.init(row:))
            return Page.from(states, limit: limit, key: \.invoice.number)
        }
    }

    /// Voids the invoice from `date` on: from then it counts nothing. Refused once
    /// a payment is applied to it (unless that payment was reversed by `date`) or
    /// anything was written off: reverse or undo those first.
    public func void(_ number: String, on date: CalendarDate, reason: String, actor: String) async throws -> Invoice {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason for voiding", 1...1000)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.find(number, in: tx, lock: true)
            if let voided = before.voidedOn {
                throw ServiceError.conflict("invoice \(number) was already voided on \(voided)")
            }
            guard date >= before.issuedOn else {
                throw ServiceError.invalid("invoice \(number) cannot be voided on \(date), before it was issued on \(before.issuedOn)")
            }
            let applied = try await tx.query("""
                SELECT coalesce(sum(a.amount_minor), 0) FROM payment_applications a
                JOIN payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id
                WHERE a.invoice_id = \(before.id)
                  AND (p.reversed_on IS NULL OR (p.reversed_on > \(date) AND a.applied_on < p.reversed_on))
                """).scalar(Int64.self) ?? 0
            guard applied == 0 else {
                throw ServiceError.refused(
                    "invoice \(number) has \(Money(amountMinor: applied, currency: before.currency).formatted) of payments applied to it; it cannot be voided")
            }
            let writtenOff = try await tx.query("""
                SELECT coalesce(sum(w.amount_minor), 0) FROM write_offs w WHERE w.invoice_id = \(before.id)
                """).scalar(Int64.self) ?? 0
            guard writtenOff == 0 else {
                throw ServiceError.refused(
                    "invoice \(number) has \(Money(amountMinor: writtenOff, currency: before.currency).formatted) written off; it cannot be voided")
            }
            try await tx.execute("""
                UPDATE invoices SET voided_on = \(date), void_reason = \(reason) WHERE id = \(before.id)
                """)
            let after = try await Self.find(id: before.id, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "void", entity: "invoice",
                                   entityID: number, before: before, after: after)
            return after
        }
    }

    /// The invoice numbered `number`, optionally locked for a change in this transaction.
    static func find(_ number: String, in tx: PostgresConnection, lock: Bool = false) async throws -> Invoice {
        guard let row = try await tx.query("""
            SELECT \(unescaped: Invoice.columns) FROM invoices i
            JOIN clients c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
            WHERE i.number = \(number) \(unescaped: lock ? "FOR UPDATE OF i" : "")
            """).first else {
            throw ServiceError.notFound("no invoice \(number)")
        }
        return try Invoice(row: row)
    }

    static func find(id: UUID, in tx: PostgresConnection) async throws -> Invoice {
        let row = try await tx.query("""
            SELECT \(unescaped: Invoice.columns) FROM invoices i
            JOIN clients c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
            WHERE i.id = \(id)
            """)
        return try Invoice(row: row[0])
    }
}

extension Optional where Wrapped == CalendarDate {
    /// The date given, or the tenant's today.
    func orToday(_ tx: PostgresConnection) async throws -> CalendarDate {
        if let self { return self }
        return try await Ledger.today(tx)
    }
}
