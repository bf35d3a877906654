import CollectionsService
import Foundation
import Postgres

/// TEST ORACLE: payments posted one by one, as the ledger did before set-based
/// posting (`PaymentPosting`): claim the key, insert the payment, lock the
/// invoices, ask SQL what each can take, apply. Kept apart from the service on
/// purpose, with its own SQL for what an invoice can take, so that
/// `PaymentPostingPropertyTests` compares two independent implementations of
/// the same rules. Not used by any program.
enum PerRowPostingOracle {
    enum Outcome: Equatable {
        case posted
        case replayed
        case usedForAnotherRequest
        case refused(String)
    }

    /// Posts each payment in its own transaction, in the order given.
    static func post(
        _ requests: [(key: String, request: PaymentRequest)], actor: String, tenant: UUID, database: CollectionsDatabase
    ) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for (key, request) in requests {
            do {
                let checked = try Payments.CheckedPayment(request)
                outcomes.append(try await database.withTenant(tenant) { tx in
                    try await post(checked, key: key, actor: actor, tenant: tenant, in: tx)
                })
            } catch let error as ServiceError {
                outcomes.append(.refused(error.message))
            } catch let refusal as Refusal {
                outcomes.append(.refused(refusal.message))
            }
        }
        return outcomes
    }

    static func post(
        _ checked: Payments.CheckedPayment, key: String, actor: String, tenant: UUID, in tx: PostgresConnection
    ) async throws -> Outcome {
        let request = checked.request
        let hash = request.hash
        let claimed = try await tx.query("""
            INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (\(tenant), \(key), \(hash))
            ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key
            """).first != nil
        if !claimed {
            let stored = try await tx.query("SELECT request_hash FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(key)")
            return try stored[0]["request_hash", as: Data.self] == hash ? .replayed : .usedForAnotherRequest
        }
        let client = try await Clients.find(request.clientRef, tenant: tenant, in: tx)
        let id: UUID
        do {
            id = try await tx.query("""
                INSERT INTO payments (tenant_id, client_id, reference, currency, amount_minor, received_on, method)
                VALUES (\(tenant), \(client.id), \(checked.reference), \(request.amount.currency),
                        \(request.amount.amountMinor), \(request.receivedOn), \(checked.method))
                RETURNING id
                """).scalar(UUID.self)!
        } catch let error as PostgresError where error.kind == .uniqueViolation {
            throw Refusal("a payment with reference \(checked.reference) already exists (posted under another idempotency key)")
        }
        let credit = Credit(paymentID: id, availableMinor: request.amount.amountMinor)
        switch request.allocation {
        case .automatic:
            try await automatic(credit, client: client.id, currency: request.amount.currency, on: request.receivedOn, tenant: tenant, in: tx)
        case .explicit(let items):
            try await explicit(items, credit, client: client, currency: request.amount.currency, on: request.receivedOn, tenant: tenant, in: tx)
        }
        try await tx.execute("UPDATE idempotency_keys SET response = '{}' WHERE tenant_id = \(tenant) AND key = \(key)")
        return .posted
    }

    /// A rule refused the payment; its transaction rolls back.
    struct Refusal: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    struct Credit {
        var paymentID: UUID
        var availableMinor: Int64
    }

    static func explicit(
        _ items: [InvoiceAmount], _ credit: Credit, client: Client, currency: String, on date: CalendarDate, tenant: UUID,
        in tx: PostgresConnection
    ) async throws {
        guard !items.isEmpty else { return }
        var seen = Set<String>()
        for item in items {
            guard seen.insert(item.invoiceNumber).inserted else {
                throw Refusal("invoice \(item.invoiceNumber) is listed twice; give one amount per invoice")
            }
            guard item.amount.amountMinor > 0 else {
                throw Refusal("the amount applied to invoice \(item.invoiceNumber) must be greater than 0")
            }
            guard item.amount.currency == currency else {
                throw Refusal(
                    "the amount for invoice \(item.invoiceNumber) is in \(item.amount.currency) but the money applied is in \(currency); amounts are never applied across currencies")
            }
        }
        let requested = items.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        guard requested <= credit.availableMinor else {
            throw Refusal(
                "only \(Money(amountMinor: credit.availableMinor, currency: currency).formatted) is available to apply; cannot apply \(Money(amountMinor: requested, currency: currency).formatted)")
        }
        let numbers = items.map(\.invoiceNumber)
        var invoices: [String: (id: UUID, clientID: UUID, currency: String, issuedOn: CalendarDate, voidedOn: CalendarDate?)] = [:]
        for row in try await tx.query("""
            SELECT i.id, i.number, i.client_id, i.currency, i.issued_on, i.voided_on FROM invoices i
            WHERE i.tenant_id = \(tenant) AND i.number = ANY(\(numbers)) ORDER BY i.id FOR UPDATE
            """) {
            invoices[try row["number"]] = (try row["id"], try row["client_id"], try row["currency"], try row["issued_on"], try row["voided_on"])
        }
        for number in numbers {
            guard let invoice = invoices[number] else { throw Refusal("no invoice \(number)") }
            guard invoice.clientID == client.id else {
                throw Refusal("invoice \(number) is not an invoice of client \(client.ref)")
            }
            guard invoice.currency == currency else {
                throw Refusal(
                    "invoice \(number) is in \(invoice.currency) but the payment is in \(currency); amounts are never applied across currencies")
            }
            if let voided = invoice.voidedOn {
                throw Refusal("invoice \(number) was voided on \(voided); nothing can be applied to it")
            }
            guard invoice.issuedOn <= date else {
                throw Refusal(
                    "invoice \(number) is issued on \(invoice.issuedOn), after \(date); apply the money as credit once it is issued")
            }
        }
        let available = try await Self.available(tenant, invoices: numbers.map { invoices[$0]!.id }, on: date, in: tx)
        for item in items {
            let room = available[invoices[item.invoiceNumber]!.id] ?? 0
            guard item.amount.amountMinor <= room else {
                throw Refusal(
                    "invoice \(item.invoiceNumber) has a balance of \(Money(amountMinor: room, currency: currency).formatted); cannot apply \(item.amount.formatted)")
            }
        }
        try await write(items.map { (credit.paymentID, invoices[$0.invoiceNumber]!.id, $0.amount.amountMinor) }, on: date, tenant: tenant, in: tx)
    }

    static func automatic(
        _ credit: Credit, client: UUID, currency: String, on date: CalendarDate, tenant: UUID, in tx: PostgresConnection
    ) async throws {
        let candidates = try await tx.query("""
            \(LedgerSQL.states(tenant, asOf: date))
            WHERE s.client_id = \(client) AND s.currency = \(currency) AND s.status = 'open'
            ORDER BY s.id
            """).map { try $0.decode(UUID.self, column: "id") }
        guard !candidates.isEmpty else { return }
        try await tx.execute("""
            SELECT i.id FROM invoices i WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(candidates)) ORDER BY i.id FOR UPDATE
            """)
        let available = try await Self.available(tenant, invoices: candidates, on: date, in: tx)
        var left = credit.availableMinor
        var writes: [(UUID, UUID, Int64)] = []
        for row in try await tx.query("""
            SELECT i.id FROM invoices i
            WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(candidates)) AND i.voided_on IS NULL
            ORDER BY i.due_on, i.issued_on, i.number
            """) {
            let id = try row.decode(UUID.self, at: 0)
            guard left > 0, let room = available[id], room > 0 else { continue }
            let take = min(room, left)
            writes.append((credit.paymentID, id, take))
            left -= take
        }
        try await write(writes, on: date, tenant: tenant, in: tx)
    }

    static func write(_ rows: [(UUID, UUID, Int64)], on date: CalendarDate, tenant: UUID, in tx: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        try await tx.execute("""
            INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
            SELECT \(tenant), u.p, u.i, u.a, \(date) FROM unnest(\(rows.map(\.0)), \(rows.map(\.1)), \(rows.map(\.2))) AS u(p, i, a)
            """)
    }

    /// What can still be taken off each invoice (applied or written off) by an
    /// entry dated `date`, without its balance going below zero on that date or
    /// on any later one: the least of the balance at `date` and the balances after
    /// each later-dated entry. (A later write-off or application already recorded
    /// leaves less room than the balance at `date` suggests.)
    ///
    /// The balance over time is a running sum of signed entries: the amount at
    /// issue, charges, minus applications (plus them back at the payment's
    /// reversal), minus write-offs. Void invoices are refused before this is asked.
    /// Callers lock the invoice rows first (`FOR UPDATE`, by id), so no concurrent
    /// entry can slip in between this answer and the write that relies on it.
    static func available(
        _ tenant: UUID, invoices ids: [UUID], on date: CalendarDate, in tx: PostgresConnection
    ) async throws -> [UUID: Int64] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await tx.query("""
            WITH target AS (
                SELECT i.id, i.amount_minor, i.issued_on FROM invoices i WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(ids))
            ), dated AS (
                SELECT e.invoice_id, e.kind, e.amount_minor, e.on_date, e.ends_on
                FROM report_balance_entries(\(tenant), 'infinity') e
                WHERE e.invoice_id = ANY(\(ids)) AND e.kind <> 'dispute'
            ), entries AS (
                SELECT t.id AS invoice_id, t.issued_on AS on_date, t.amount_minor AS delta FROM target t
                UNION ALL
                -- Each entry from its date while it counts (an application reversed
                -- on the day it was applied never counted) ...
                SELECT d.invoice_id, d.on_date, d.amount_minor FROM dated d
                WHERE d.ends_on IS NULL OR d.on_date < d.ends_on
                UNION ALL
                -- ... and taken back on the day it ends (a payment's reversal).
                SELECT d.invoice_id, d.ends_on, -d.amount_minor FROM dated d
                WHERE d.on_date < d.ends_on
            ), daily AS (
                SELECT invoice_id, on_date, sum(delta) AS delta FROM entries GROUP BY invoice_id, on_date
            ), running AS (
                SELECT invoice_id, on_date, sum(delta) OVER (PARTITION BY invoice_id ORDER BY on_date) AS balance
                FROM daily
            )
            SELECT t.id, greatest(least(
                (SELECT coalesce(sum(d.delta), 0) FROM daily d WHERE d.invoice_id = t.id AND d.on_date <= \(date)),
                (SELECT min(r.balance) FROM running r WHERE r.invoice_id = t.id AND r.on_date > \(date))
            ), 0) AS available
            FROM target t
            """)
        var available: [UUID: Int64] = [:]
        for row in rows { available[try row.decode(UUID.self, at: 0)] = try row.decode(Int64.self, at: 1) }
        return available
    }

}
