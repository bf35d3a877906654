public import CollectionsService
import Foundation
public import Postgres

/// What a message says, as its template sees it: the lender, the client, the
/// invoices it is about with their balances in their currency's format, the
/// payment plan instalments it reminds of (sql/0024), and the opt-out link.
public struct MessageContent: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var number: String
        public var dueOn: CalendarDate
        public var balance: Money
        /// Days from the due date: negative before it.
        public var offsetDays: Int

        public init(number: String, dueOn: CalendarDate, balance: Money, offsetDays: Int) {
            self.number = number
            self.dueOn = dueOn
            self.balance = balance
            self.offsetDays = offsetDays
        }
    }

    /// An unpaid instalment of a current plan: what was still unpaid of it when
    /// the message's day was decided.
    public struct Instalment: Sendable, Equatable {
        public var seq: Int
        /// The plan's number of instalments.
        public var count: Int
        public var dueOn: CalendarDate
        public var balance: Money
        /// Days from the instalment's date: negative before it.
        public var offsetDays: Int

        public init(seq: Int, count: Int, dueOn: CalendarDate, balance: Money, offsetDays: Int) {
            self.seq = seq
            self.count = count
            self.dueOn = dueOn
            self.balance = balance
            self.offsetDays = offsetDays
        }
    }

    public var lender: String
    public var clientName: String
    public var clientRef: String
    public var step: String
    public var scheduledOn: CalendarDate
    public var invoices: [Line]
    public var instalments: [Instalment]
    public var optOutURL: String

    public init(lender: String, clientName: String, clientRef: String, step: String, scheduledOn: CalendarDate,
                invoices: [Line], instalments: [Instalment] = [], optOutURL: String) {
        self.lender = lender
        self.clientName = clientName
        self.clientRef = clientRef
        self.step = step
        self.scheduledOn = scheduledOn
        self.invoices = invoices
        self.instalments = instalments
        self.optOutURL = optOutURL
    }

    /// The names a template may use at the top, inside `{{#invoices}}` and inside
    /// `{{#instalments}}`.
    static let topNames = ["lender", "client_name", "client_ref", "step", "date", "invoice_count", "instalment_count",
                           "total", "opt_out_url", "invoices", "instalments"]
    static let lineNames = ["number", "due_on", "balance", "timing"]
    static let instalmentNames = ["seq", "of", "due_on", "balance", "timing"]
    /// Each list a template may open, with the names inside it.
    static let sectionNames = ["invoices": lineNames, "instalments": instalmentNames]
    static var names: String {
        "names: " + (topNames + lineNames.map { "invoices.\($0)" } + instalmentNames.map { "instalments.\($0)" })
            .joined(separator: ", ")
    }

    /// The balances of its invoices and instalments summed per currency,
    /// "1,234.56 USD + 80.00 EUR".
    var total: String {
        var sums: [String: Int64] = [:]
        for balance in invoices.map(\.balance) + instalments.map(\.balance) {
            sums[balance.currency, default: 0] += balance.amountMinor
        }
        return sums.keys.sorted().map { Money(amountMinor: sums[$0]!, currency: $0).formatted }.joined(separator: " + ")
    }

    var values: [String: Any] {
        [
            "lender": lender, "client_name": clientName, "client_ref": clientRef, "step": step,
            "date": scheduledOn.description, "invoice_count": invoices.count, "instalment_count": instalments.count,
            "total": total, "opt_out_url": optOutURL,
            "invoices": invoices.map { line -> [String: Any] in
                ["number": line.number, "due_on": line.dueOn.description, "balance": line.balance.formatted,
                 "timing": Reminder.timing(offsetDays: line.offsetDays)]
            },
            "instalments": instalments.map { line -> [String: Any] in
                ["seq": line.seq, "of": line.count, "due_on": line.dueOn.description, "balance": line.balance.formatted,
                 "timing": Reminder.timing(offsetDays: line.offsetDays)]
            },
        ]
    }

    /// What a template is checked with when it is set: three invoices, an
    /// instalment, long names.
    public static let sample = MessageContent(
        lender: "Northwind Consumer Finance of America", clientName: "Alexandra Montgomery-Worthington",
        clientRef: "C-000123456", step: "7 days past due", scheduledOn: CalendarDate(year: 2026, month: 3, day: 10)!,
        invoices: [
            Line(number: "INV-2026-000101", dueOn: CalendarDate(year: 2026, month: 3, day: 3)!,
                 balance: Money(amountMinor: 123_456, currency: "USD"), offsetDays: 7),
            Line(number: "INV-2026-000102", dueOn: CalendarDate(year: 2026, month: 3, day: 3)!,
                 balance: Money(amountMinor: 98_000, currency: "USD"), offsetDays: 7),
            Line(number: "INV-2026-000103", dueOn: CalendarDate(year: 2026, month: 3, day: 3)!,
                 balance: Money(amountMinor: 4_500, currency: "USD"), offsetDays: 7),
        ],
        instalments: [
            Instalment(seq: 11, count: 12, dueOn: CalendarDate(year: 2026, month: 3, day: 13)!,
                       balance: Money(amountMinor: 41_667, currency: "USD"), offsetDays: -3),
        ],
        optOutURL: "https://collections.example.com/opt-out/00000000-0000-0000-0000-000000000000/0123456789abcdef0123456789abcdef")

    /// The names of `source`'s tags that a message does not have: top-level names
    /// outside the lists (`sectionNames`), and a list's own names (or top-level
    /// ones) inside it.
    static func unknownNames(in source: String) -> [String] {
        var unknown: [String] = []
        var depth: [String: Int] = [:]
        var rest = source[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            var tag = rest[open.upperBound..<close.lowerBound]
            rest = rest[close.upperBound...]
            if rest.hasPrefix("}") { rest = rest.dropFirst() }
            tag = tag.drop { $0 == "{" }
            let sigil = tag.first
            if let sigil, "!%=>".contains(sigil) { continue }
            if let sigil, "#^/&".contains(sigil) { tag = tag.dropFirst() }
            let name = tag.trimmingCharacters(in: .whitespaces)
            if sectionNames[name] != nil {
                if sigil == "#" || sigil == "^" { depth[name, default: 0] += 1 } else if sigil == "/" { depth[name, default: 0] -= 1 }
                continue
            }
            let known = name == "." || topNames.contains(name)
                || sectionNames.contains { section, names in depth[section, default: 0] > 0 && names.contains(name) }
            if !known { unknown.append(name) }
        }
        return unknown
    }
}
