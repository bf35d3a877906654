public import Foundation
public import Postgres

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
            let client = try await Clients.find(new.clientRef, tenant: tenant, in: tx)
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
            let invoice = try await Self.find(id: id, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "invoice",
                                   entityID: number, before: nil, after: invoice)
            return invoice
        }
    }

    /// The invoice and its balance and status as of `asOf` (the tenant's today by default).
    public func get(_ number: String, asOf: CalendarDate? = nil) async throws -> InvoiceState {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tenant, in: tx)
            guard let row = try await tx.query("\(LedgerSQL.states(tenant, asOf: date)) WHERE s.number = \(number)").first else {
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
            let date = try await filter.asOf.orToday(tenant, in: tx)
            var conditions: SQL = "TRUE"
            if let ref = filter.clientRef {
                let client = try await Clients.find(ref, tenant: tenant, in: tx)
                conditions.append(" AND s.client_id = \(client.id)")
            }
            if let status = filter.status { conditions.append(" AND s.status = \(status.rawValue)") }
            if filter.overdueOnly { conditions.append(" AND s.days_past_due > 0") }
            if let currency = filter.currency { conditions.append(" AND s.currency = \(currency)") }
            if let cursor { conditions.append(" AND s.number > \(cursor)") }
            return try Self.page(try await tx.query(Self.listSQL(tenant, asOf: date, where: conditions, limit: limit)), limit: limit)
        }
    }

    /// `list`'s query: the states as of `date` that meet `conditions`, in number order, one more than `limit`.
    static func listSQL(_ tenant: UUID, asOf date: CalendarDate, where conditions: SQL, limit: Int) -> SQL {
        "\(LedgerSQL.states(tenant, asOf: date)) WHERE \(conditions) ORDER BY s.number LIMIT \(limit + 1)"
    }

    /// `list`'s page of the rows of `listSQL`.
    static func page(_ rows: PostgresRows, limit: Int) throws -> Page<InvoiceState> {
        Page.from(try rows.map(InvoiceState.init(row:)), limit: limit, key: \.invoice.number)
    }

    /// Voids the invoice from `date` on: from then it counts nothing. Refused once
    /// a payment is applied to it (unless that payment was reversed by `date`) or
    /// anything was written off: reverse or undo those first.
    public func void(_ number: String, on date: CalendarDate, reason: String, actor: String) async throws -> Invoice {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason for voiding", 1...1000)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.find(number, tenant: tenant, in: tx, lock: true)
            if let voided = before.voidedOn {
                throw ServiceError.conflict("invoice \(number) was already voided on \(voided)")
            }
            guard date >= before.issuedOn else {
                throw ServiceError.invalid("invoice \(number) cannot be voided on \(date), before it was issued on \(before.issuedOn)")
            }
            let applied = try await tx.query("""
                SELECT coalesce(sum(a.amount_minor), 0) FROM payment_applications a
                JOIN payments p ON p.tenant_id = \(tenant) AND p.id = a.payment_id
                WHERE a.tenant_id = \(tenant) AND a.invoice_id = \(before.id)
                  AND (p.reversed_on IS NULL OR (p.reversed_on > \(date) AND a.applied_on < p.reversed_on))
                """).scalar(Int64.self) ?? 0
            guard applied == 0 else {
                throw ServiceError.refused(
                    "invoice \(number) has \(Money(amountMinor: applied, currency: before.currency).formatted) of payments applied to it; it cannot be voided")
            }
            let writtenOff = try await tx.query("""
                SELECT coalesce(sum(w.amount_minor), 0) FROM write_offs w WHERE w.tenant_id = \(tenant) AND w.invoice_id = \(before.id)
                """).scalar(Int64.self) ?? 0
            guard writtenOff == 0 else {
                throw ServiceError.refused(
                    "invoice \(number) has \(Money(amountMinor: writtenOff, currency: before.currency).formatted) written off; it cannot be voided")
            }
            try await tx.execute("""
                UPDATE invoices i SET voided_on = \(date), void_reason = \(reason)
                WHERE i.tenant_id = \(tenant) AND i.id = \(before.id)
                """)
            let after = try await Self.find(id: before.id, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "void", entity: "invoice",
                                   entityID: number, before: before, after: after)
            return after
        }
    }

    /// `tenant`'s invoice numbered `number`, optionally locked for a change in this transaction.
    static func find(_ number: String, tenant: UUID, in tx: PostgresConnection, lock: Bool = false) async throws -> Invoice {
        guard let row = try await tx.query("""
            SELECT \(unescaped: Invoice.columns) FROM invoices i
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
            WHERE i.tenant_id = \(tenant) AND i.number = \(number) \(unescaped: lock ? "FOR UPDATE OF i" : "")
            """).first else {
            throw ServiceError.notFound("no invoice \(number)")
        }
        return try Invoice(row: row)
    }

    static func find(id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> Invoice {
        let row = try await tx.query("""
            SELECT \(unescaped: Invoice.columns) FROM invoices i
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
            WHERE i.tenant_id = \(tenant) AND i.id = \(id)
            """)
        return try Invoice(row: row[0])
    }
}
