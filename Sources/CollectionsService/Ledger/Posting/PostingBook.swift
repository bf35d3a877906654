import Foundation
import Postgres

/// The invoices a posting (or a credit application, or a write-off) may take money
/// off, locked, with their balance steps: every rule of where money may go,
/// decided in memory over the locked state and then written set-based.
///
/// Locking comes before reading: payments first (the caller's), then these
/// invoices, ordered by client ref and then id. The importer posts its sets in
/// client ref order too, so concurrent writers queue and never deadlock, and nothing they commit can slip in between what is read here
/// and what is written from it: two concurrent payments never together
/// over-apply an invoice.
struct PostingBook {
    struct Invoice {
        var id: UUID
        var number: String
        var clientID: UUID
        var currency: String
        var issuedOn: CalendarDate
        var dueOn: CalendarDate
        var voidedOn: CalendarDate?
        var steps = BalanceSteps()
    }

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

    /// Money from one payment to one invoice.
    struct Application {
        var paymentID: UUID
        var paymentReference: String
        var invoiceID: UUID
        var invoiceNumber: String
        var minor: Int64
        var currency: String
        var appliedOn: CalendarDate

        var summary: PaymentApplication {
            PaymentApplication(
                paymentReference: paymentReference, invoiceNumber: invoiceNumber,
                amount: Money(amountMinor: minor, currency: currency), appliedOn: appliedOn)
        }
    }

    /// A client's money in one currency: what automatic allocation works within.
    struct Pair: Hashable {
        var client: UUID
        var currency: String
    }

    private var invoices: [UUID: Invoice] = [:]
    private var byNumber: [String: UUID] = [:]
    /// Each (client, currency)'s invoices that automatic allocation may consider,
    /// in its order: oldest due first, then issue date, then number (as the
    /// database collates numbers).
    private var automaticOrder: [Pair: [UUID]] = [:]

    /// Locks and reads each invoice `named` names when it is that client's, and,
    /// for each pair of `automatic`, all that client's invoices in that currency
    /// that are not void. Named invoices of other clients are read, unlocked, only
    /// to refuse them by name.
    static func lock(
        tenant: UUID, named: [(number: String, client: UUID)], automatic: [(client: UUID, currency: String)],
        in tx: PostgresConnection
    ) async throws -> PostingBook {
        var book = PostingBook()
        guard !named.isEmpty || !automatic.isEmpty else { return book }
        // Joined to the lists, never filtered by `= ANY` of them: each list is a
        // set's worth (thousands), and a filter compares every row with all of it.
        let locked = try await tx.query("""
            SELECT i.id FROM invoices i JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
            WHERE i.tenant_id = \(tenant) AND i.id IN (
                SELECT n.id FROM invoices n
                JOIN unnest(\(named.map(\.number)), \(named.map(\.client))) AS w(number, client_id)
                  ON n.tenant_id = \(tenant) AND n.number = w.number AND n.client_id = w.client_id
                UNION ALL
                SELECT a.id FROM invoices a
                JOIN unnest(\(automatic.map(\.client)), \(automatic.map(\.currency))) AS w(client_id, currency)
                  ON a.tenant_id = \(tenant) AND a.client_id = w.client_id AND a.currency = w.currency
                WHERE a.voided_on IS NULL)
            ORDER BY c.ref, i.id FOR UPDATE OF i
            """).map { try $0.decode(UUID.self, at: 0) }
        let lockedSet = Set(locked)
        let wanted = Set(automatic.map { Pair(client: $0.client, currency: $0.currency) })
        for row in try await tx.query("""
            SELECT i.id, i.number, i.client_id, i.currency, i.issued_on, i.due_on, i.voided_on FROM invoices i
            WHERE i.tenant_id = \(tenant) AND i.id IN (
                SELECT l.id FROM unnest(\(locked)) AS l(id)
                UNION
                SELECT n.id FROM invoices n JOIN unnest(\(named.map(\.number))) AS w(number)
                  ON n.tenant_id = \(tenant) AND n.number = w.number)
            ORDER BY i.due_on, i.issued_on, i.number
            """) {
            let invoice = Invoice(
                id: try row["id"], number: try row["number"], clientID: try row["client_id"], currency: try row["currency"],
                issuedOn: try row["issued_on"], dueOn: try row["due_on"], voidedOn: try row["voided_on"])
            book.invoices[invoice.id] = invoice
            book.byNumber[invoice.number] = invoice.id
            let pair = Pair(client: invoice.clientID, currency: invoice.currency)
            if lockedSet.contains(invoice.id), invoice.voidedOn == nil, wanted.contains(pair) {
                book.automaticOrder[pair, default: []].append(invoice.id)
            }
        }
        for (id, steps) in try await BalanceSteps.load(tenant, invoices: locked, in: tx) { book.invoices[id]?.steps = steps }
        return book
    }

    /// The invoice numbered `number`, when it was read.
    func invoice(_ number: String) -> Invoice? { byNumber[number].flatMap { invoices[$0] } }

    /// What an entry dated `date` can still take off the invoice (see `BalanceSteps.available`).
    func available(_ id: UUID, on date: CalendarDate) -> Int64 { invoices[id]?.steps.available(on: date) ?? 0 }

    /// Applies `items` from `credits` (used in order) to the named invoices on
    /// `date`, or refuses all of them: then nothing changes.
    mutating func applyExplicit(
        _ items: [InvoiceAmount], from credits: [Credit], client: Payer, currency: String, on date: CalendarDate
    ) throws -> [Application] {
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
        var targets: [(id: UUID, number: String, minor: Int64)] = []
        for item in items {
            let number = item.invoiceNumber
            guard let invoice = invoice(number) else { throw ServiceError.notFound("no invoice \(number)") }
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
            targets.append((invoice.id, number, item.amount.amountMinor))
        }
        for target in targets {
            let room = available(target.id, on: date)
            guard target.minor <= room else {
                throw ServiceError.refused(
                    "invoice \(target.number) has a balance of \(Money(amountMinor: room, currency: currency).formatted); cannot apply \(Money(amountMinor: target.minor, currency: currency).formatted)")
            }
        }
        return take(Self.allocate(credits, to: targets), currency: currency, on: date)
    }

    /// Applies `credits` to the client's oldest-due open invoices in `currency`
    /// on `date` (open then: issued, owing, not disputed), as far as they go.
    ///
    /// Looks only as far down the list as the money goes, and drops for good an
    /// invoice that owes nothing once every entry is counted: no date leaves it
    /// room (its room is never more than that), and a posting only takes more.
    /// So a client's payments, oldest due paid first, do not each walk all its
    /// paid invoices again.
    mutating func applyAutomatic(
        from credits: [Credit], client: Payer, currency: String, on date: CalendarDate
    ) -> [Application] {
        let money = credits.reduce(Int64(0)) { $0 + max($1.availableMinor, 0) }
        guard money > 0 else { return [] }
        let pair = Pair(client: client.id, currency: currency)
        let order = automaticOrder[pair] ?? []
        var targets: [(id: UUID, number: String, minor: Int64)] = []
        var covered: Int64 = 0
        var settled = Set<UUID>()
        for id in order {
            guard let invoice = invoices[id] else { continue }
            if invoice.steps.finalBalance <= 0 {
                settled.insert(id)
                continue
            }
            let state = invoice.steps.state(on: date)
            guard invoice.issuedOn <= date, state.balance > 0, !state.disputed else { continue }
            let room = invoice.steps.available(on: date)
            guard room > 0 else { continue }
            targets.append((id, invoice.number, room))
            covered += room
            if covered >= money { break }
        }
        if !settled.isEmpty { automaticOrder[pair] = order.filter { !settled.contains($0) } }
        return take(Self.allocate(credits, to: targets, partial: true), currency: currency, on: date)
    }

    private mutating func take(
        _ allocations: [(credit: Credit, invoiceID: UUID, number: String, minor: Int64)], currency: String,
        on date: CalendarDate
    ) -> [Application] {
        allocations.map {
            invoices[$0.invoiceID]?.steps.take($0.minor, on: date)
            return Application(
                paymentID: $0.credit.paymentID, paymentReference: $0.credit.reference, invoiceID: $0.invoiceID,
                invoiceNumber: $0.number, minor: $0.minor, currency: currency, appliedOn: date)
        }
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

    /// Writes `applications` in one statement, whatever their number.
    static func write(_ applications: [Application], tenant: UUID, in tx: PostgresConnection) async throws {
        guard !applications.isEmpty else { return }
        try await tx.insert("""
            INSERT INTO payment_applications (tenant_id, payment_id, invoice_id, amount_minor, applied_on)
            SELECT \(tenant), u.payment_id, u.invoice_id, u.amount_minor, u.applied_on
            FROM unnest(\(applications.map(\.paymentID)), \(applications.map(\.invoiceID)),
                        \(applications.map(\.minor)), \(applications.map(\.appliedOn)))
                 AS u(payment_id, invoice_id, amount_minor, applied_on)
            """)
    }
}
