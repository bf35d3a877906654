import Foundation
public import Postgres

/// Write-offs and charges: the dated entries that change an invoice other than
/// payments (disputes: `Invoices+Disputes.swift`).
extension Invoices {
    /// Writes off `amount` (the whole remaining balance when nil) on `date`.
    ///
    /// Never more than the balance: not more than is owed on `date`, nor more than
    /// is owed after any later-dated entry already recorded.
    public func writeOff(
        _ number: String, amount: Money? = nil, on date: CalendarDate, reason: String, actor: String
    ) async throws -> WriteOff {
        let actor = try Check.actor(actor)
        let reason = try Check.text(reason, "the reason for the write-off", 1...1000)
        if let amount { try Check.positive(amount, "the amount written off") }
        return try await database.ledger(tenant) { tx in
            let invoice = try await Self.find(number, tenant: tenant, in: tx, lock: true)
            try Self.refuseIfVoid(invoice, "written off")
            if let amount, amount.currency != invoice.currency {
                throw ServiceError.invalid(
                    "invoice \(number) is in \(invoice.currency); a write-off in \(amount.currency) cannot be applied to it")
            }
            guard date >= invoice.issuedOn else {
                throw ServiceError.invalid("invoice \(number) cannot be written off on \(date), before it was issued on \(invoice.issuedOn)")
            }
            let available = try await BalanceSteps.load(tenant, invoices: [invoice.id], in: tx)[invoice.id]?.available(on: date) ?? 0
            let minor = amount?.amountMinor ?? available
            guard minor > 0 else {
                throw ServiceError.refused("invoice \(number) has nothing left to write off as of \(date)")
            }
            guard minor <= available else {
                throw ServiceError.refused(
                    "invoice \(number) has a balance of \(Money(amountMinor: available, currency: invoice.currency).formatted); cannot write off \(Money(amountMinor: minor, currency: invoice.currency).formatted)")
            }
            let id = try await tx.query("""
                INSERT INTO write_offs (tenant_id, invoice_id, amount_minor, written_off_on, reason)
                VALUES (\(tenant), \(invoice.id), \(minor), \(date), \(reason)) RETURNING id
                """).scalar(UUID.self)!
            let writeOff = WriteOff(
                id: id, invoiceNumber: number, amount: Money(amountMinor: minor, currency: invoice.currency),
                writtenOffOn: date, reason: reason)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "write_off", entity: "invoice",
                                   entityID: number, before: nil, after: writeOff)
            return writeOff
        }
    }

    /// Adds a charge to the invoice's balance from `date` on. With a `periodKey`,
    /// a second charge of the same kind and period is refused as a conflict.
    public func addCharge(
        _ number: String, kind: Charge.Kind, amount: Money, on date: CalendarDate, periodKey: String? = nil,
        note: String? = nil, actor: String
    ) async throws -> Charge {
        let actor = try Check.actor(actor)
        try Check.positive(amount, "the charge")
        let periodKey = try Check.optionalText(periodKey, "the period key", 1...64)
        let note = try Check.optionalText(note, "the note", 1...1000)
        return try await database.ledger(tenant) { tx in
            let invoice = try await Self.find(number, tenant: tenant, in: tx, lock: true)
            try Self.refuseIfVoid(invoice, "charged")
            guard amount.currency == invoice.currency else {
                throw ServiceError.invalid("invoice \(number) is in \(invoice.currency); a charge in \(amount.currency) cannot be added to it")
            }
            guard date >= invoice.issuedOn else {
                throw ServiceError.invalid("invoice \(number) cannot be charged on \(date), before it was issued on \(invoice.issuedOn)")
            }
            let id: UUID
            do {
                id = try await tx.query("""
                    INSERT INTO invoice_charges (tenant_id, invoice_id, kind, amount_minor, charged_on, period_key, note)
                    VALUES (\(tenant), \(invoice.id), \(kind.rawValue), \(amount.amountMinor), \(date), \(periodKey), \(note))
                    RETURNING id
                    """).scalar(UUID.self)!
            } catch let error as PostgresError where error.kind == .uniqueViolation {
                throw ServiceError.conflict("invoice \(number) already has a \(kind.rawValue) charge for period \(periodKey ?? "")")
            }
            let charge = Charge(
                id: id, invoiceNumber: number, kind: kind, amount: amount, chargedOn: date, periodKey: periodKey, note: note)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "charge", entity: "invoice",
                                   entityID: number, before: nil, after: charge)
            return charge
        }
    }

    static func refuseIfVoid(_ invoice: Invoice, _ verb: String) throws {
        if let voided = invoice.voidedOn {
            throw ServiceError.refused("invoice \(invoice.number) was voided on \(voided); it cannot be \(verb)")
        }
    }
}
