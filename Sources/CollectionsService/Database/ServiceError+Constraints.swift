import Foundation
import Postgres

extension ServiceError {
    /// A constraint violation from sql/0001 in a collector's words, or nil for any
    /// other error. Input checks catch nearly all of these first; this is what a
    /// race or a missed check still says, instead of a SQLSTATE.
    package static func constraintViolation(_ error: any Error) -> ServiceError? {
        guard let error = error as? PostgresError else { return nil }
        let constraint = error.constraint ?? ""
        switch (error.kind, constraint) {
        case (.uniqueViolation, "clients_ref_key"):
            return .conflict("a client with that ref already exists")
        case (.uniqueViolation, "invoices_number_key"):
            return .conflict("an invoice with that number already exists")
        case (.uniqueViolation, "payments_reference_key"):
            return .conflict("a payment with that reference already exists")
        case (.foreignKeyViolation, "clients_assigned_collector_fkey"):
            return .notFound("no such collector: add them first (collections-admin collector create)")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_client_fkey"):
            return .notFound("no such client")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_invoice_fkey"):
            return .notFound("no such invoice")
        case (.foreignKeyViolation, let name) where name.hasSuffix("_payment_fkey"):
            return .notFound("no such payment")
        case (.foreignKeyViolation, let name) where name.hasSuffix("currency_fkey"):
            return .invalid("unknown currency: use an ISO 4217 code such as USD")
        case (.checkViolation, "invoices_due_check"):
            return .invalid("the due date is before the issue date")
        case (.checkViolation, "invoices_void_check"):
            return .invalid("an invoice cannot be voided before it was issued")
        case (.checkViolation, "payments_reversal_check"):
            return .invalid("a payment cannot be reversed before it was received")
        case (.checkViolation, "disputes_resolved_check"):
            return .invalid("a dispute cannot be resolved before it was opened")
        case (.checkViolation, "payment_applications_currency_check"):
            return .refused(error.message + "; amounts are never applied across currencies")
        case (.checkViolation, "payment_applications_applied_on_check"):
            return .refused(error.message)
        case (.checkViolation, "clients_agency_check"):
            return .invalid("a client placed with an agency needs the agency's name and the placement date")
        case (.checkViolation, "clients_credit_limit_currency_check"):
            return .invalid("a credit limit needs a currency")
        case (.checkViolation, "contact_notes_promise_check"):
            return .invalid("a promise to pay needs an amount, a currency and a date, and only a promise has them")
        case (.checkViolation, _), (.notNullViolation, _):
            let column = error.column.map { " (\($0))" } ?? ""
            return .invalid("a value is out of range\(column): \(constraint.isEmpty ? error.message : constraint)")
        default:
            return nil
        }
    }
}
