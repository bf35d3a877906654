import Foundation
import CollectionsService
import Postgres

/// What a file imports: the four formats of DESIGN.md "Import files".
public enum ImportKind: String, Sendable, Codable, CaseIterable {
    case clients, invoices, payments, notes

    var columns: [ImportColumn] {
        switch self {
        case .clients:
            [
                ImportColumn("ref", .text(max: 64), required: true),
                ImportColumn("name", .text(max: 200), required: true),
                ImportColumn("email", .email),
                ImportColumn("phone", .text(max: 64)),
                ImportColumn("payment_terms_days", .integer(0...3650)),
                ImportColumn("credit_limit", .amount(zero: true)),
                ImportColumn("currency", .currency),
                ImportColumn("kind", .choice(ClientKind.allCases.map(\.rawValue))),
                ImportColumn("time_zone", .text(max: 64)),
                ImportColumn("sms_consent", .choice(["yes", "no"])),
            ]
        case .invoices:
            [
                ImportColumn("client_ref", .text(max: 64), required: true),
                ImportColumn("number", .text(max: 64), required: true),
                ImportColumn("currency", .currency, required: true),
                ImportColumn("amount", .amount(zero: false), required: true),
                ImportColumn("issued_on", .date, required: true),
                ImportColumn("due_on", .date),
            ]
        case .payments:
            [
                ImportColumn("client_ref", .text(max: 64), required: true),
                ImportColumn("reference", .text(max: 64), required: true),
                ImportColumn("currency", .currency, required: true),
                ImportColumn("amount", .amount(zero: false), required: true),
                ImportColumn("received_on", .date, required: true),
                ImportColumn("invoice_number", .text(max: 64)),
            ]
        case .notes:
            [
                ImportColumn("client_ref", .text(max: 64), required: true),
                ImportColumn("noted_at", .timestamp, required: true),
                ImportColumn("channel", .choice(ContactChannel.allCases.map(\.rawValue)), required: true),
                ImportColumn("author", .text(max: 200)),
                ImportColumn("body", .text(max: 10_000, lineBreaks: true)),
                ImportColumn("outcome", .choice(ImportKind.outcomes)),
                ImportColumn("promise_amount", .amount(zero: false)),
                ImportColumn("promise_date", .date),
                ImportColumn("satisfaction", .integer(1...5)),
            ]
        }
    }

    /// The `outcome` values of contact notes (sql/0001 `contact_notes`).
    static let outcomes = [
        "no_answer", "left_message", "promise_to_pay", "dispute_raised", "payment_arranged", "refused",
        "wrong_contact", "other",
    ]

    /// "client_ref, number, ...; optional: due_on", for messages about the header.
    var headerHelp: String {
        let required = columns.filter(\.required).map(\.name).joined(separator: ", ")
        let optional = columns.filter { !$0.required }.map(\.name).joined(separator: ", ")
        return optional.isEmpty ? required : "\(required); optional: \(optional)"
    }
}
