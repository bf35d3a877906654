package import Foundation
package import Postgres

/// The one way payments are posted: the library's `Payments.post`, the HTTP API and
/// the importer all come here, with a set of payments (one payment is a set of one).
///
/// In a handful of statements whatever the set's size, inside the caller's
/// transaction (tenant set): look up the keys used before; look up the clients;
/// lock and read the invoices the payments may go to (`PostingBook`); decide each
/// payment in the order received (then the order given), so each sees the book
/// as the earlier ones left it; store the keys with their results, then write the
/// payments, their applications and audit rows. A refused payment writes nothing
/// and leaves the others as they would be without it, so the importer needs no
/// savepoint per row.
package enum PaymentPosting {
    /// One payment of the set, with the key it is posted under.
    package struct Item {
        package let key: String
        package let payment: Payments.CheckedPayment

        package init(key: String, payment: Payments.CheckedPayment) {
            self.key = key
            self.payment = payment
        }
    }

    /// What became of one payment of the set.
    package enum Outcome {
        /// Recorded and applied now.
        case posted(PaymentSummary)
        /// Posted before under its key with the same request: the stored result, nothing written.
        case replayed(PaymentSummary)
        /// Its key was used for a different request: nothing written.
        case usedForAnotherRequest
        /// A rule refused it (unknown client or invoice, more than the balance, ...): nothing written.
        case refused(ServiceError)
    }

    /// Posts `items`; the outcomes are in the same order. Throws only for what
    /// refuses the whole set (the database; keys that concurrent requests kept
    /// taking).
    package static func post(
        _ items: [Item], actor: String, tenant: UUID, in tx: PostgresConnection
    ) async throws -> [Outcome] {
        for _ in 1...3 {
            if let outcomes = try await attempt(items, actor: actor, tenant: tenant, in: tx) { return outcomes }
        }
        throw ServiceError.conflict(
            "the idempotency keys of these payments were being used by requests running at the same time; nothing was changed; try again")
    }

    /// One try at posting `items`: nil, with nothing written, when a concurrent
    /// request stored one of the keys after they were looked up (the next try
    /// finds its result).
    private static func attempt(
        _ items: [Item], actor: String, tenant: UUID, in tx: PostgresConnection
    ) async throws -> [Outcome]? {
        // Every statement here looks rows up by key, so the plan that suits one
        // tenant suits all, with the tenant a parameter. Planned for the values at
        // hand, a tenant newer than the statistics (an import's, typically) counts
        // as having no rows, and a lookup may take any index on tenant_id and
        // filter all of the tenant's rows: in one import, a minute for 5,000 payments.
        // Not on Citus (its `citus.version` setting is there): a generic plan
        // there has the tenant as an unbound parameter, which Citus cannot route
        // to a shard ("could not create distributed plan"); planned per call, it
        // goes to the tenant's shard by value, as the migrator makes the worker's
        // functions plan (`CitusDistribution.planPerCall`).
        try await tx.query("""
            SELECT set_config('plan_cache_mode',
                              CASE WHEN current_setting('citus.version', true) IS NULL THEN 'force_generic_plan' ELSE 'auto' END, true)
            """)
        var outcomes = [Outcome?](repeating: nil, count: items.count)
        let hashes = items.map(\.payment.request.hash)

        // A key given again in the set is decided at the end, as a retry of its first.
        var firstOfKey: [String: Int] = [:]
        var retries: [Int] = []
        for (index, item) in items.enumerated() {
            if firstOfKey[item.key] == nil { firstOfKey[item.key] = index } else { retries.append(index) }
        }
        for index in retries { outcomes[index] = .usedForAnotherRequest }

        // References taken, read before the keys: a request under the same key that
        // commits in between is then seen by its key (a replay), never by its
        // reference alone (which would refuse a retry as another request).
        var taken = Set(try await tx.query("""
            SELECT p.reference FROM payments p
            WHERE p.tenant_id = \(tenant) AND p.reference = ANY(\(firstOfKey.values.map { items[$0].payment.reference }))
            """).map { try $0.decode(String.self, at: 0) })

        // Keys used before: the same request gets its stored result, another is refused.
        var stored: [String: (hash: Data, response: PaymentSummary?)] = [:]
        for row in try await tx.query("""
            SELECT key, request_hash, response FROM idempotency_keys
            WHERE tenant_id = \(tenant) AND key = ANY(\(Array(firstOfKey.keys)))
            """) {
            stored[try row["key"]] = (try row["request_hash"], try row["response", as: JSONB<PaymentSummary>?.self]?.value)
        }
        for (key, (hash, response)) in stored {
            let index = firstOfKey[key]!
            guard hash == hashes[index] else { outcomes[index] = .usedForAnotherRequest; continue }
            guard let response else {
                throw ServiceError.conflict("idempotency key \(key) has no stored result; nothing was changed")
            }
            outcomes[index] = .replayed(response)
        }

        // The payments to decide, in the order received, then as given.
        let pending = items.indices.filter { outcomes[$0] == nil }
            .sorted { (items[$0].payment.request.receivedOn, $0) < (items[$1].payment.request.receivedOn, $1) }
        var clients: [String: PostingBook.Payer] = [:]
        for row in try await tx.query("""
            SELECT c.id, c.ref FROM clients c
            WHERE c.tenant_id = \(tenant) AND c.ref = ANY(\(Array(Set(pending.map { items[$0].payment.request.clientRef }))))
            """) {
            let payer = PostingBook.Payer(id: try row["id"], ref: try row["ref"])
            clients[payer.ref] = payer
        }
        var named: [(number: String, client: UUID)] = []
        var automatic: [(client: UUID, currency: String)] = []
        var pairs = Set<PostingBook.Pair>()
        for index in pending {
            let request = items[index].payment.request
            guard let payer = clients[request.clientRef] else { continue }
            switch request.allocation {
            case .explicit(let amounts): named += amounts.map { ($0.invoiceNumber, payer.id) }
            case .automatic:
                if pairs.insert(PostingBook.Pair(client: payer.id, currency: request.amount.currency)).inserted {
                    automatic.append((payer.id, request.amount.currency))
                }
            }
        }
        var book = try await PostingBook.lock(
            tenant: tenant, named: named, automatic: automatic, in: tx)

        var payments: [(payment: Payment, clientID: UUID)] = []
        var applications: [PostingBook.Application] = []
        var results: [(key: String, hash: Data, reference: String, json: JSONText)] = []
        for index in pending {
            let checked = items[index].payment
            let request = checked.request
            guard let payer = clients[request.clientRef] else {
                outcomes[index] = .refused(.notFound("no client with ref \"\(request.clientRef)\""))
                continue
            }
            guard taken.insert(checked.reference).inserted else {
                outcomes[index] = .refused(.conflict(
                    "a payment with reference \(checked.reference) already exists (posted under another idempotency key)"))
                continue
            }
            let payment = Payment(
                id: UUID(), clientRef: payer.ref, reference: checked.reference, amount: request.amount,
                receivedOn: request.receivedOn, method: checked.method)
            let credit = [PostingBook.Credit(paymentID: payment.id, reference: payment.reference, availableMinor: request.amount.amountMinor)]
            let applied: [PostingBook.Application]
            do {
                switch request.allocation {
                case .automatic:
                    applied = book.applyAutomatic(from: credit, client: payer, currency: request.amount.currency, on: request.receivedOn)
                case .explicit(let amounts):
                    applied = try book.applyExplicit(
                        amounts, from: credit, client: payer, currency: request.amount.currency, on: request.receivedOn)
                }
            } catch let error as ServiceError {
                taken.remove(checked.reference)
                outcomes[index] = .refused(error)
                continue
            }
            let summary = PaymentSummary(
                payment: payment, applications: applied.map(\.summary),
                unapplied: Money(amountMinor: request.amount.amountMinor - applied.reduce(0) { $0 + $1.minor }, currency: request.amount.currency))
            payments.append((payment, payer.id))
            applications += applied
            results.append((items[index].key, hashes[index], payment.reference, try Audit.json(summary)!))
            outcomes[index] = .posted(summary)
        }

        // The keys first, with their results, in key order (concurrent sets queue
        // on the same key instead of deadlocking): a request still running under
        // one of them is waited for; one that stored it meanwhile wins, and this
        // try takes back its own and gives way.
        if !results.isEmpty {
            results.sort { $0.key < $1.key }
            let inserted = try await tx.query("""
                INSERT INTO idempotency_keys (tenant_id, key, request_hash, response)
                SELECT \(tenant), k.key, k.request_hash, k.response
                FROM unnest(\(results.map(\.key)), \(results.map(\.hash)), \(results.map(\.json)))
                     WITH ORDINALITY AS k(key, request_hash, response, n)
                ORDER BY k.n
                ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key
                """).map { try $0.decode(String.self, at: 0) }
            if inserted.count < results.count {
                try await tx.execute("DELETE FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = ANY(\(inserted))")
                return nil
            }
        }
        try await write(payments, tenant: tenant, in: tx)
        try await PostingBook.write(applications, tenant: tenant, in: tx)
        try await Audit.record(
            tx, tenant: tenant, actor: actor, action: "post", entity: "payment",
            entityIDs: results.map(\.reference), after: results.map(\.json))

        for index in retries {
            let key = items[index].key
            let first = firstOfKey[key]!
            switch outcomes[first]! {
            case .posted(let summary), .replayed(let summary):
                outcomes[index] = hashes[index] == hashes[first] ? .replayed(summary) : .usedForAnotherRequest
            case .usedForAnotherRequest:
                if let (hash, response) = stored[key], hash == hashes[index], let response {
                    outcomes[index] = .replayed(response)
                }
            case .refused:
                outcomes[index] = .refused(.conflict(
                    "idempotency key \(key) is given twice in one set of payments and its first payment was refused"))
            }
        }
        return outcomes.map { $0! }
    }

    private static func write(_ payments: [(payment: Payment, clientID: UUID)], tenant: UUID, in tx: PostgresConnection) async throws {
        guard !payments.isEmpty else { return }
        do {
            try await tx.insert("""
                INSERT INTO payments (tenant_id, id, client_id, reference, currency, amount_minor, received_on, method)
                SELECT \(tenant), u.id, u.client_id, u.reference, u.currency, u.amount_minor, u.received_on, u.method
                FROM unnest(\(payments.map(\.payment.id)), \(payments.map(\.clientID)), \(payments.map(\.payment.reference)),
                            \(payments.map(\.payment.amount.currency)), \(payments.map(\.payment.amount.amountMinor)),
                            \(payments.map(\.payment.receivedOn)), \(payments.map(\.payment.method)))
                     AS u(id, client_id, reference, currency, amount_minor, received_on, method)
                """)
        } catch let error as PostgresError where error.kind == .uniqueViolation && error.constraint == "payments_reference_key" {
            // Another transaction posted one of these references, under another key, since they were looked up.
            throw ServiceError.conflict(payments.count == 1
                ? "a payment with reference \(payments[0].payment.reference) already exists (posted under another idempotency key)"
                : "a payment with a reference of this set was posted at the same time under another idempotency key; nothing was changed")
        }
    }
}
