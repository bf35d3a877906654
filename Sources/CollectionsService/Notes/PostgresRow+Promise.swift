import Foundation
import Postgres

extension PostgresRow {
    /// The columns every promise row has, whatever it is read for (its state as
    /// of a date, or the worker's decision): the note it was made in, whose and
    /// for which invoice, the amount and date promised, and what was paid towards
    /// it. Both amounts are in the promise's currency (`promise_currency`):
    /// payments in another currency never count towards a promise.
    func promiseColumns() throws -> (
        noteID: UUID, clientRef: String, invoiceNumber: String?, promised: Money, promiseDate: CalendarDate, paid: Money
    ) {
        let currency: String = try self["promise_currency"]
        return (
            try self["note_id"], try self["client_ref"], try self["invoice_number"],
            Money(amountMinor: try self["promise_amount_minor"], currency: currency), try self["promise_date"],
            Money(amountMinor: try self["paid_minor"], currency: currency))
    }
}
