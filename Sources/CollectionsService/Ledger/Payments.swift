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
        let request: PaymentRequest
        let reference: String
        let method: String?

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

    /// What posting under an idempotency key did.
    package enum PostOutcome {
        /// The payment was recorded and applied now.
        case posted(PaymentSummary)
        /// The same request was posted before: its stored result, nothing written.
        case replayed(PaymentSummary)
        /// The key was used for a different request: nothing written.
        case usedForAnotherRequest
    }

    /// `post`'s work inside a transaction that has the tenant set (the public
    /// `post`'s, or an import's).
    package static func post(
        _ checked: CheckedPayment, idempotencyKey key: String, actor: String, tenant: UUID, in tx: PostgresConnection
    ) async throws -> PostOutcome {
        let request = checked.request
        let reference = checked.reference
        let hash = request.hash
        let claimed = try await tx.query("""
            INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (\(tenant), \(key), \(hash))
            ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key
            """).first != nil
        if !claimed { return try await Self.replay(key: key, hash: hash, tenant: tenant, in: tx) }

        let client = try await Clients.find(request.clientRef, tenant: tenant, in: tx)
        let payment: Payment
        do {
            // Returned as `find` reads it, which saves the round trip of reading it back.
            payment = try Payment(row: try await tx.query("""
                WITH p AS (
                    INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, method)
                    VALUES (\(tenant), \(client.id), \(reference), \(request.amount.currency),
                            \(request.amount.amountMinor), \(request.receivedOn), \(checked.method))
                    RETURNING *
                )
                SELECT \(unescaped: Payment.columns) FROM p JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
                """)[0])
        } catch let error as PostgresError where error.kind == .uniqueViolation && error.constraint == "payments_reference_key" {
            throw ServiceError.conflict("a payment with reference \(reference) already exists (posted under another idempotency key)")
        }
        let id = payment.id
        let credit = Applier.Credit(paymentID: id, reference: reference, availableMinor: request.amount.amountMinor)
        let payer = Applier.Payer(id: client.id, ref: client.ref)
        let applications: [PaymentApplication]
        switch request.allocation {
        case .automatic:
            applications = try await Applier.automatic(
                from: [credit], client: payer, currency: request.amount.currency, on: request.receivedOn,
                tenant: tenant, in: tx)
        case .explicit(let items):
            applications = try await Applier.explicit(
                items, from: [credit], client: payer, currency: request.amount.currency, on: request.receivedOn,
                tenant: tenant, in: tx)
        }
        let applied = applications.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        let summary = PaymentSummary(
            payment: payment, applications: applications,
            unapplied: Money(amountMinor: request.amount.amountMinor - applied, currency: request.amount.currency))
        try await Audit.record(tx, tenant: tenant, actor: actor, action: "post", entity: "payment",
                               entityID: reference, before: nil, after: summary)
        try await tx.execute("""
            UPDATE idempotency_keys SET response = \(JSONB(summary)) WHERE tenant_id = \(tenant) AND key = \(key)
            """)
        return .posted(summary)
    }

    /// The stored result for a used key, when the request is the same one.
    private static func replay(key: String, hash: Data, tenant: UUID, in tx: PostgresConnection) async throws -> PostOutcome {
        guard let row = try await tx.query("""
            SELECT request_hash, response FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(key)
            """).first else {
            throw ServiceError.conflict("idempotency key \(key) is being used by a request that has not finished; try again")
        }
        guard try row["request_hash", as: Data.self] == hash else { return .usedForAnotherRequest }
        guard let stored = try row["response", as: JSONB<PaymentSummary>?.self] else {
            throw ServiceError.conflict("idempotency key \(key) has no stored result; nothing was changed")
        }
        return .replayed(stored.value)
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
            let payer = Applier.Payer(id: client.id, ref: client.ref)
            let applications: [PaymentApplication]
            switch allocation {
            case .automatic:
                applications = try await Applier.automatic(
                    from: credits, client: payer, currency: currency, on: date, tenant: tenant, in: tx)
            case .explicit(let items):
                applications = try await Applier.explicit(
                    items, from: credits, client: payer, currency: currency, on: date, tenant: tenant, in: tx)
            }
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
            let counts = payment.receivedOn <= date && !(payment.reversedOn.map { $0 <= date } ?? false)
            let applied = applications.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
            return PaymentSummary(
                payment: payment, applications: applications,
                unapplied: Money(amountMinor: counts ? payment.amount.amountMinor - applied : 0, currency: payment.amount.currency))
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
    ) async throws -> [Applier.Credit] {
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
            return available > 0 ? Applier.Credit(paymentID: try $0["id"], reference: try $0["reference"], availableMinor: available) : nil
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
