import Crypto
public import Foundation
public import Postgres

/// A tenant's payments: post (once per idempotency key), reverse, apply credit.
public struct Payments: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Records a payment and applies it, exactly once per `idempotencyKey`.
    ///
    /// In one transaction: claim the key (`INSERT ... ON CONFLICT DO NOTHING`; a
    /// concurrent claimant waits for ours to commit or roll back), write the
    /// payment and its applications, store the result with the key. The same key
    /// again with the same request returns the stored result and writes nothing;
    /// with a different request it is refused and changes nothing. The payment
    /// reference's unique constraint backs this up.
    public func post(_ request: PaymentRequest, idempotencyKey: String, actor: String) async throws -> PaymentSummary {
        switch try await postAnswering(request, idempotencyKey: idempotencyKey, actor: actor) {
        case .posted(let summary), .replayed(let summary):
            return summary
        case .keyUsedForAnotherRequest:
            throw ServiceError.conflict(
                "idempotency key \(idempotencyKey) was already used for a different request; nothing was changed")
        }
    }

    /// A request whose fields passed the checks that need no database.
    package struct CheckedPayment {
        package let request: PaymentRequest
        package let reference: String
        package let method: String?

        package init(_ request: PaymentRequest) throws {
            self.request = request
            reference = try Check.text(request.reference, "the payment reference", 1...64)
            method = try Check.optionalText(request.method, "the payment method", 1...64)
            try Check.positive(request.amount, "the payment amount")
            if case .explicit(let items) = request.allocation {
                let total = items.reduce(Int64(0)) { $0 &+ $1.amount.amountMinor }
                guard total <= request.amount.amountMinor else {
                    throw ServiceError.refused(
                        "the amounts to apply total \(Money(amountMinor: total, currency: request.amount.currency).formatted), more than the payment of \(request.amount.formatted)")
                }
            }
        }
    }

    /// `post`'s work inside a transaction that has the tenant set: a set of one
    /// through the one posting path (`PaymentPosting`).
    static func post(
        _ checked: CheckedPayment, idempotencyKey key: String, actor: String, tenant: UUID, in tx: PostgresConnection
    ) async throws -> Answer {
        switch try await PaymentPosting.post([.init(key: key, payment: checked)], actor: actor, tenant: tenant, in: tx)[0] {
        case .posted(let summary): return .posted(summary)
        case .replayed(let summary): return .replayed(summary)
        case .usedForAnotherRequest: return .keyUsedForAnotherRequest
        case .refused(let error): throw error
        }
    }

    /// Reverses the payment from `date` on (a bounced cheque): from then on it and
    /// everything it paid count for nothing, so the invoices it paid owe again.
    /// Balances before `date` are unchanged.
    public func reverse(_ reference: String, on date: CalendarDate, reason: String, actor: String) async throws -> Payment {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason for the reversal", 1...1000)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.find(reference, tenant: tenant, in: tx, lock: true)
            if let reversed = before.reversedOn {
                throw ServiceError.conflict("payment \(reference) was already reversed on \(reversed)")
            }
            guard date >= before.receivedOn else {
                throw ServiceError.invalid("payment \(reference) cannot be reversed on \(date), before it was received on \(before.receivedOn)")
            }
            try await tx.execute("""
                UPDATE payments p SET reversed_on = \(date), reversal_reason = \(reason)
                WHERE p.tenant_id = \(tenant) AND p.id = \(before.id)
                """)
            let after = try await Self.find(reference, tenant: tenant, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "reverse", entity: "payment",
                                   entityID: reference, before: before, after: after)
            return after
        }
    }

    /// Applies the client's unapplied credit in `currency` on `date`: the oldest
    /// payments' money first, to the invoices `allocation` names or chooses.
    /// Only payments received on or before `date` and not reversed take part.
    public func applyCredit(
        clientRef: String, currency: String, on date: CalendarDate, allocation: Allocation = .automatic,
        actor: String
    ) async throws -> [PaymentApplication] {
        let actor = try Check.actor(actor)
        try Currency.validate(currency)
        return try await database.ledger(tenant) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            let credits = try await Self.lockCredits(of: client.id, currency: currency, on: date, tenant: tenant, in: tx)
            let payer = PostingBook.Payer(id: client.id, ref: client.ref)
            var named: [(number: String, client: UUID)] = []
            if case .explicit(let items) = allocation { named = items.map { ($0.invoiceNumber, client.id) } }
            var book = try await PostingBook.lock(
                tenant: tenant, named: named,
                automatic: allocation == .automatic ? [(client.id, currency)] : [], in: tx)
            let applied: [PostingBook.Application]
            switch allocation {
            case .automatic:
                applied = book.applyAutomatic(from: credits, client: payer, currency: currency, on: date)
            case .explicit(let items):
                applied = try book.applyExplicit(items, from: credits, client: payer, currency: currency, on: date)
            }
            try await PostingBook.write(applied, tenant: tenant, in: tx)
            let applications = applied.map(\.summary)
            if !applications.isEmpty {
                try await Audit.record(tx, tenant: tenant, actor: actor, action: "apply_credit", entity: "client",
                                       entityID: clientRef, before: nil, after: applications)
            }
            return applications
        }
    }

    /// The payment with everything applied from it, and its unapplied rest, as of
    /// `asOf` (the tenant's today by default).
    public func get(_ reference: String, asOf: CalendarDate? = nil) async throws -> PaymentSummary {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tenant, in: tx)
            let payment = try await Self.find(reference, tenant: tenant, in: tx)
            let applications = try await tx.query("""
                SELECT i.number, a.amount_minor, a.applied_on FROM payment_applications a
                JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = a.invoice_id
                WHERE a.tenant_id = \(tenant) AND a.payment_id = \(payment.id) AND a.applied_on <= \(date)
                ORDER BY a.applied_on, i.number
                """).map {
                PaymentApplication(
                    paymentReference: reference, invoiceNumber: try $0["number"],
                    amount: Money(amountMinor: try $0["amount_minor"], currency: payment.amount.currency),
                    appliedOn: try $0["applied_on"])
            }
            return PaymentSummary(of: payment, applications: applications, on: date)
        }
    }

    /// The client's unapplied credit as of `asOf`, one amount per currency that has any.
    public func unappliedCredit(clientRef: String, asOf: CalendarDate? = nil) async throws -> [Money] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let date = try await asOf.orToday(tenant, in: tx)
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try await tx.query("""
                SELECT p.currency, sum(p.amount_minor - coalesce((
                    SELECT sum(a.amount_minor) FROM payment_applications a
                    WHERE a.tenant_id = \(tenant) AND a.payment_id = p.id AND a.applied_on <= \(date)), 0)) AS credit
                FROM payments p
                WHERE p.tenant_id = \(tenant) AND p.client_id = \(client.id) AND p.received_on <= \(date)
                  AND (p.reversed_on IS NULL OR p.reversed_on > \(date))
                GROUP BY p.currency ORDER BY p.currency
                """).map { Money(amountMinor: try $0["credit"], currency: try $0["currency"]) }
                .filter { $0.amountMinor != 0 }
        }
    }

    /// The client's payments in `currency` with money left to apply on `date`,
    /// locked (by id), oldest received first.
    private static func lockCredits(
        of client: UUID, currency: String, on date: CalendarDate, tenant: UUID, in tx: PostgresConnection
    ) async throws -> [PostingBook.Credit] {
        let unapplied: SQL = """
            p.amount_minor - coalesce((SELECT sum(a.amount_minor) FROM payment_applications a
                                       WHERE a.tenant_id = \(tenant) AND a.payment_id = p.id), 0)
            """
        let ids = try await tx.query("""
            SELECT p.id FROM payments p
            WHERE p.tenant_id = \(tenant) AND p.client_id = \(client) AND p.currency = \(currency) AND p.received_on <= \(date)
              AND p.reversed_on IS NULL AND \(unapplied) > 0
            ORDER BY p.id FOR UPDATE
            """).map { try $0.decode(UUID.self, at: 0) }
        guard !ids.isEmpty else { return [] }
        // Read again after the lock: a concurrent application may have used some.
        return try await tx.query("""
            SELECT p.id, p.reference, \(unapplied) AS available FROM payments p
            WHERE p.tenant_id = \(tenant) AND p.id = ANY(\(ids)) AND p.reversed_on IS NULL ORDER BY p.received_on, p.reference
            """).compactMap {
            let available: Int64 = try $0["available"]
            return available > 0 ? PostingBook.Credit(paymentID: try $0["id"], reference: try $0["reference"], availableMinor: available) : nil
        }
    }

    static func find(_ reference: String, tenant: UUID, in tx: PostgresConnection, lock: Bool = false) async throws -> Payment {
        guard let row = try await tx.query("""
            SELECT \(unescaped: Payment.columns) FROM payments p
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
            WHERE p.tenant_id = \(tenant) AND p.reference = \(reference) \(unescaped: lock ? "FOR UPDATE OF p" : "")
            """).first else {
            throw ServiceError.notFound("no payment with reference \(reference)")
        }
        return try Payment(row: row)
    }
}
