import Foundation
public import Postgres

/// Disputes: part (or all) of an invoice held out of collection while open, then
/// upheld (credited or written off) or rejected (collectible again).
extension Invoices {
    /// Opens a dispute of `amount` (the whole balance on `date` when nil) on `date`.
    /// One open dispute per invoice at a time; never more than the invoice owes then.
    public func dispute(
        _ number: String, on date: CalendarDate, reasonCode: DisputeReason = .other, amount: Money? = nil,
        reason: String, actor: String
    ) async throws -> Dispute {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason for the dispute", 1...1000)
        if let amount { try Check.positive(amount, "the amount disputed") }
        return try await database.ledger(tenant) { tx in
            let invoice = try await Self.find(number, tenant: tenant, in: tx, lock: true)
            let open = try await Self.openDispute(of: invoice, tenant: tenant, in: tx)
            let owed = try await BalanceSteps.load(tenant, invoices: [invoice.id], in: tx)[invoice.id]?.state(on: date).balance ?? 0
            if let refusal = Self.disputeRefusal(invoice, openSince: open?.openedOn, owed: owed, on: date) { throw refusal }
            if let amount, amount.currency != invoice.currency {
                throw ServiceError.invalid("invoice \(number) is in \(invoice.currency); a dispute in \(amount.currency) cannot concern it")
            }
            let minor = amount?.amountMinor ?? owed
            guard minor <= owed else {
                throw ServiceError.refused(
                    "invoice \(number) owes \(Money(amountMinor: owed, currency: invoice.currency).formatted) on \(date); cannot dispute \(Money(amountMinor: minor, currency: invoice.currency).formatted)")
            }
            let row = try await tx.query("""
                INSERT INTO disputes AS d (tenant_id, invoice_id, opened_on, reason_code, reason, amount_minor)
                VALUES (\(tenant), \(invoice.id), \(date), \(reasonCode.rawValue), \(reason), \(minor))
                RETURNING \(unescaped: Dispute.columns)
                """)
            let dispute = try Dispute(row: row[0], invoice: invoice)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "dispute", entity: "invoice",
                                   entityID: number, before: nil, after: dispute)
            return dispute
        }
    }

    /// Resolves the open dispute on `date`, which may not precede its opening.
    ///
    /// Upheld, what the dispute held and the invoice still owes is credited or
    /// written off on `date` (nothing is written when nothing is left owing);
    /// rejected, it is collectible again from `date`.
    public func resolveDispute(
        _ number: String, on date: CalendarDate, outcome: DisputeOutcome, resolution: String, actor: String
    ) async throws -> Dispute {
        let actor = try Check.actor(actor)
        let resolution = try Check.text(resolution, "the resolution", 1...1000)
        return try await database.ledger(tenant) { tx in
            let invoice = try await Self.find(number, tenant: tenant, in: tx, lock: true)
            guard let before = try await Self.openDispute(of: invoice, tenant: tenant, in: tx) else {
                throw ServiceError.refused("invoice \(number) has no open dispute to resolve")
            }
            guard date >= before.openedOn else {
                throw ServiceError.invalid("the dispute of invoice \(number) opened on \(before.openedOn); it cannot be resolved on \(date)")
            }
            var writeOff: WriteOff?
            if outcome != .rejected {
                let room = try await BalanceSteps.load(tenant, invoices: [invoice.id], in: tx)[invoice.id]?.available(on: date) ?? 0
                let minor = min(before.amount.amountMinor, room)
                if minor > 0 {
                    // At most 1,000 code points, as the column counts them.
                    let reason = String(String.UnicodeScalarView("dispute upheld: \(resolution)".unicodeScalars.prefix(1000)))
                    let id = try await tx.query("""
                        INSERT INTO write_offs (tenant_id, invoice_id, kind, amount_minor, written_off_on, reason)
                        VALUES (\(tenant), \(invoice.id), \(outcome.rawValue), \(minor), \(date), \(reason)) RETURNING id
                        """).scalar(UUID.self)!
                    writeOff = WriteOff(
                        id: id, invoiceNumber: number, amount: Money(amountMinor: minor, currency: invoice.currency),
                        writtenOffOn: date, reason: reason, kind: outcome == .creditNote ? .creditNote : .writeOff)
                }
            }
            let row = try await tx.query("""
                UPDATE disputes AS d
                SET resolved_on = \(date), outcome = \(outcome.rawValue), resolution = \(resolution), write_off_id = \(writeOff?.id)
                WHERE d.tenant_id = \(tenant) AND d.id = \(before.id) RETURNING \(unescaped: Dispute.columns)
                """)
            let after = try Dispute(row: row[0], invoice: invoice)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "resolve_dispute", entity: "invoice",
                                   entityID: number, before: before, after: after)
            if let writeOff {
                try await Audit.record(tx, tenant: tenant, actor: actor, action: writeOff.kind.rawValue, entity: "invoice",
                                       entityID: number, before: nil, after: writeOff)
            }
            return after
        }
    }

    /// Every dispute of the invoice, oldest first.
    public func disputes(_ number: String) async throws -> [Dispute] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let invoice = try await Self.find(number, tenant: tenant, in: tx)
            return try await tx.query("""
                SELECT \(unescaped: Dispute.columns) FROM disputes d WHERE d.tenant_id = \(tenant) AND d.invoice_id = \(invoice.id)
                ORDER BY d.opened_on, d.created_at
                """).map { try Dispute(row: $0, invoice: invoice) }
        }
    }

    /// Every dispute opened by `asOf` (the tenant's today by default), counted per
    /// state at that day, reason code and currency.
    public func disputeSummary(asOf: CalendarDate? = nil) async throws -> [DisputeSummary] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let day = try await asOf.orToday(tenant, in: tx)
            return try await tx.query("""
                SELECT CASE WHEN report_counts(d.opened_on, d.resolved_on, \(day)) THEN 'open'
                            ELSE coalesce(d.outcome, 'resolved') END AS state,
                       d.reason_code, i.currency, count(*)::int AS count, report_sum(d.amount_minor) AS disputed_minor
                FROM disputes d
                JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = d.invoice_id
                WHERE d.tenant_id = \(tenant) AND d.opened_on <= \(day)
                GROUP BY 1, 2, 3
                ORDER BY 1, 2, 3
                """).map { row in
                DisputeSummary(
                    state: try row["state"], reasonCode: DisputeReason(rawValue: try row["reason_code"]) ?? .other,
                    currency: try row["currency"], count: try row["count"], disputedMinor: try row["disputed_minor"])
            }
        }
    }

    static func openDispute(of invoice: Invoice, tenant: UUID, in tx: PostgresConnection) async throws -> Dispute? {
        try await tx.query("""
            SELECT \(unescaped: Dispute.columns) FROM disputes d
            WHERE d.tenant_id = \(tenant) AND d.invoice_id = \(invoice.id) AND d.resolved_on IS NULL
            """).first.map { try Dispute(row: $0, invoice: invoice) }
    }

    /// Why a dispute of `invoice` opened on `date` would be refused, whatever its
    /// amount, or nil when it may be opened: a voided invoice, one already
    /// disputed (`openSince`, its open dispute's opening), a day before it was
    /// issued, or one that owes nothing then. `dispute` refuses by it, and the
    /// dashboard offers only the invoices it lets through.
    public static func disputeRefusal(
        _ invoice: Invoice, openSince: CalendarDate?, owed: Int64, on date: CalendarDate
    ) -> ServiceError? {
        if let voided = invoice.voidedOn {
            return ServiceError.refused("invoice \(invoice.number) was voided on \(voided); it cannot be disputed")
        }
        if let openSince { return ServiceError.conflict("invoice \(invoice.number) is already disputed since \(openSince)") }
        guard date >= invoice.issuedOn else {
            return ServiceError.invalid(
                "invoice \(invoice.number) cannot be disputed on \(date), before it was issued on \(invoice.issuedOn)")
        }
        guard owed > 0 else {
            return ServiceError.refused("invoice \(invoice.number) owes nothing on \(date); there is nothing to dispute")
        }
        return nil
    }
}
