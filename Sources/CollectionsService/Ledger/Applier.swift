import Foundation
import Postgres

/// Puts money (a new payment, or a client's unapplied credit) on invoices.
///
/// Every path locks what it reads before it decides: payments first, then the
/// invoices, each in id order (one global order, so concurrent writers queue and
/// never deadlock), and only then computes what each invoice can still take,
/// so two concurrent payments can never together over-apply an invoice.
enum Applier {
    /// Unapplied money of one payment, available to apply.
    struct Credit {
        var paymentID: UUID
        var reference: String
        var availableMinor: Int64
    }

    struct Payer {
        var id: UUID
        var ref: String
    }

    /// Applies `items` from `credits` (used in order) to the named invoices on `date`.
    static func explicit(
        _ items: [InvoiceAmount], from credits: [Credit], client: Payer, currency: String,
        on date: CalendarDate, tenant: UUID, in tx: PostgresConnection
    ) async throws -> [PaymentApplication] {
        guard !items.isEmpty else { return [] }
        var seen = Set<String>()
        for item in items {
            guard seen.insert(item.invoiceNumber).inserted else {
                throw ServiceError.invalid("invoice \(item.invoiceNumber) is listed twice; give one amount per invoice")
            }
            guard item.amount.amountMinor > 0 else {
                throw ServiceError.invalid("the amount applied to invoice \(item.invoiceNumber) must be greater than 0")
            }
            guard item.amount.currency == currency else {
                throw ServiceError.invalid(
                    "the amount for invoice \(item.invoiceNumber) is in \(item.amount.currency) but the money applied is in \(currency); amounts are never applied across currencies")
            }
        }
        let requested = items.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        let credit = credits.reduce(Int64(0)) { $0 + $1.availableMinor }
        guard requested <= credit else {
            throw ServiceError.refused(
                "only \(Money(amountMinor: credit, currency: currency).formatted) is available to apply; cannot apply \(Money(amountMinor: requested, currency: currency).formatted)")
        }

        // Locked as they are read, in id order: what is checked below (void, client,
        // currency) is then the latest committed state and stays so until commit.
        let numbers = items.map(\.invoiceNumber)
        let rows = try await tx.query("""
            SELECT i.id, i.number, i.client_id, i.currency, i.issued_on, i.voided_on FROM invoices i
            WHERE i.tenant_id = \(tenant) AND i.number = ANY(\(numbers)) ORDER BY i.id FOR UPDATE
            """)
        var invoices: [String: (id: UUID, clientID: UUID, currency: String, issuedOn: CalendarDate, voidedOn: CalendarDate?)] = [:]
        for row in rows {
            invoices[try row["number"]] = (try row["id"], try row["client_id"], try row["currency"], try row["issued_on"], try row["voided_on"])
        }
        for number in numbers {
            guard let invoice = invoices[number] else { throw ServiceError.notFound("no invoice \(number)") }
            guard invoice.clientID == client.id else {
                throw ServiceError.refused("invoice \(number) is not an invoice of client \(client.ref)")
            }
            guard invoice.currency == currency else {
                throw ServiceError.refused(
                    "invoice \(number) is in \(invoice.currency) but the payment is in \(currency); amounts are never applied across currencies")
            }
            if let voided = invoice.voidedOn {
                throw ServiceError.refused("invoice \(number) was voided on \(voided); nothing can be applied to it")
            }
            guard invoice.issuedOn <= date else {
                throw ServiceError.refused(
                    "invoice \(number) is issued on \(invoice.issuedOn), after \(date); apply the money as credit once it is issued")
            }
        }

        let ids = numbers.map { invoices[$0]!.id }
        let available = try await LedgerSQL.available(tenant, invoices: ids, on: date, in: tx)
        for item in items {
            let room = available[invoices[item.invoiceNumber]!.id] ?? 0
            guard item.amount.amountMinor <= room else {
                throw ServiceError.refused(
                    "invoice \(item.invoiceNumber) has a balance of \(Money(amountMinor: room, currency: currency).formatted); cannot apply \(item.amount.formatted)")
            }
        }
        let targets = items.map { (id: invoices[$0.invoiceNumber]!.id, number: $0.invoiceNumber, minor: $0.amount.amountMinor) }
        return try await write(allocate(credits, to: targets), currency: currency, on: date, tenant: tenant, in: tx)
    }

    /// Applies `credits` to the client's oldest-due open invoices in `currency` on `date`.
    static func automatic(
        from credits: [Credit], client: Payer, currency: String, on date: CalendarDate, tenant: UUID,
        in tx: PostgresConnection
    ) async throws -> [PaymentApplication] {
        guard credits.contains(where: { $0.availableMinor > 0 }) else { return [] }
        // Only invoices owing something on `date` can take money; lock just those.
        let candidates = try await tx.query("""
            \(LedgerSQL.states(tenant, asOf: date))
            WHERE s.client_id = \(client.id) AND s.currency = \(currency) AND s.status = 'open'
            ORDER BY s.id
            """).map { try $0.decode(UUID.self, column: "id") }
        guard !candidates.isEmpty else { return [] }
        try await LedgerSQL.lock(tenant, invoices: candidates, in: tx)
        let available = try await LedgerSQL.available(tenant, invoices: candidates, on: date, in: tx)
        let ordered = try await tx.query("""
            SELECT i.id, i.number FROM invoices i
            WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(candidates)) AND i.voided_on IS NULL
            ORDER BY i.due_on, i.issued_on, i.number
            """)
        var targets: [(id: UUID, number: String, minor: Int64)] = []
        for row in ordered {
            let id: UUID = try row["id"]
            if let room = available[id], room > 0 { targets.append((id, try row["number"], room)) }
        }
        return try await write(allocate(credits, to: targets, partial: true), currency: currency, on: date, tenant: tenant, in: tx)
    }

    /// Pairs money with invoices in order: each invoice takes from the first credit
    /// with money left. `partial`: stop when the credits run out (automatic);
    /// otherwise the caller has checked that they cover every target.
    static func allocate(
        _ credits: [Credit], to targets: [(id: UUID, number: String, minor: Int64)], partial: Bool = false
    ) -> [(credit: Credit, invoiceID: UUID, number: String, minor: Int64)] {
        var remaining = credits.map(\.availableMinor)
        var source = 0
        var result: [(credit: Credit, invoiceID: UUID, number: String, minor: Int64)] = []
        for target in targets {
            var wanted = target.minor
            while wanted > 0, source < credits.count {
                let take = min(wanted, remaining[source])
                if take > 0 {
                    result.append((credits[source], target.id, target.number, take))
                    remaining[source] -= take
                    wanted -= take
                }
                if remaining[source] == 0 { source += 1 }
            }
            precondition(partial || wanted == 0, "allocation short of its checked total")
        }
        return result
    }

    static func write(
        _ allocations: [(credit: Credit, invoiceID: UUID, number: String, minor: Int64)], currency: String,
        on date: CalendarDate, tenant: UUID, in tx: PostgresConnection
    ) async throws -> [PaymentApplication] {
        guard !allocations.isEmpty else { return [] }
        try await tx.execute("""
            INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
            SELECT \(tenant), u.payment_id, u.invoice_id, u.amount_minor, \(date)
            FROM unnest(\(allocations.map(\.credit.paymentID)), \(allocations.map(\.invoiceID)),
                        \(allocations.map(\.minor))) AS u(payment_id, invoice_id, amount_minor)
            """)
        return allocations.map {
            PaymentApplication(
                paymentReference: $0.credit.reference, invoiceNumber: $0.number,
                amount: Money(amountMinor: $0.minor, currency: currency), appliedOn: date)
        }
    }
}
