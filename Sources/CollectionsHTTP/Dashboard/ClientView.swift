import CollectionsService
import Foundation
import Postgres

/// A client's page: invoices with balances and ageing, payments and their
/// applications, disputes, plans and the notes timeline, read together by
/// `ClientFile.read` with the queries and readers of the service calls the HTTP
/// API and the CLI use for each, and the forms that log a call, a promise, a
/// satisfaction score or a dispute.
struct ClientView: Sendable {
    struct Option: Sendable {
        var value: String
        var label: String
    }

    struct InvoiceLine: Sendable {
        var number: String
        var issued: String
        var due: String
        var amount: String
        var balance: String
        var daysPastDue: Int
        var status: String
        var disputed: Bool
        var disputedText: String
    }

    struct Application: Sendable {
        var invoice: String
        var amount: String
        var on: String
    }

    struct PaymentLine: Sendable {
        var reference: String
        var received: String
        var reversed: String?
        var amount: String
        var applications: [Application]
        var unapplied: String
    }

    struct DisputeLine: Sendable {
        var invoice: String
        var opened: String
        var code: String
        var reason: String
        var amount: String
        var resolved: String
    }

    struct PlanLine: Sendable {
        var made: String
        var status: String
        var total: String
        var instalments: String
    }

    struct NoteLine: Sendable {
        var when: String
        var channel: String
        var outcome: String?
        var author: String?
        var promise: String?
        var satisfaction: Int?
        var body: String?
    }

    var chrome: DashboardChrome
    var action: String
    var csrfToken: String
    var error: String?
    var done: String?
    var ref: String
    var name: String
    var status: String
    var doNotContact: Bool
    var collector: String?
    var email: String?
    var phone: String?
    var terms: Int
    var currency: String
    var asOf: String
    var invoices: [InvoiceLine]
    var payments: [PaymentLine]
    var disputes: [DisputeLine]
    var plans: [PlanLine]
    var notes: [NoteLine]
    var outcomes: [Option]
    /// The numbers of the invoices a dispute may be opened on (`Invoices.disputeRefusal`).
    var disputable: [String]
    var reasonCodes: [String]

    /// The page of the client with `id`; a missing client (or another tenant's,
    /// or one not placed with the session's agency) is the service's not-found.
    static func make(
        database: CollectionsDatabase, tenant: Tenant, id: UUID, chrome: DashboardChrome, session: DashboardSession,
        error: String? = nil, done: String? = nil
    ) async throws -> ClientView {
        // One transaction, two statements. Plans are the lender's: an agency's
        // role is granted none of their tables.
        let file = try await ClientFile.read(database: database, tenant: tenant, id: id, plans: session.agency == nil)
        let (client, invoices, payments, disputes, plans, notes)
            = (file.client, file.invoices, file.payments, file.disputes, file.plans, file.notes)
        let asOf = invoices.isEmpty ? nil : file.asOf
        // The dispute form offers only what `Invoices.dispute` would accept today.
        let openSince = Dictionary(
            disputes.filter { $0.resolvedOn == nil }.map { ($0.invoiceNumber, $0.openedOn) }, uniquingKeysWith: { first, _ in first })
        let disputable = invoices.filter { state in
            Invoices.disputeRefusal(
                state.invoice, openSince: openSince[state.invoice.number], owed: state.balance.amountMinor, on: file.asOf) == nil
        }
        let currency = client.currency ?? tenant.defaultCurrency ?? ""
        return ClientView(
            chrome: chrome, action: "/dashboard/clients/\(id.uuidString.lowercased())", csrfToken: session.csrfToken,
            error: error, done: done, ref: client.ref, name: client.name, status: Self.status(client.status),
            doNotContact: client.doNotContact, collector: client.assignedCollector, email: client.email, phone: client.phone,
            terms: client.paymentTermsDays, currency: currency, asOf: asOf?.description ?? "",
            invoices: invoices.map { state in
                InvoiceLine(
                    number: state.invoice.number, issued: state.invoice.issuedOn.description,
                    due: state.invoice.dueOn.description, amount: state.invoice.amount.formatted,
                    balance: state.balance.formatted, daysPastDue: state.daysPastDue, status: state.status.rawValue,
                    disputed: state.disputed,
                    disputedText: Money(amountMinor: state.disputedMinor, currency: state.invoice.currency).formatted)
            },
            payments: payments.map { summary in
                PaymentLine(
                    reference: summary.payment.reference, received: summary.payment.receivedOn.description,
                    reversed: summary.payment.reversedOn?.description, amount: summary.payment.amount.formatted,
                    applications: summary.applications.map {
                        Application(invoice: $0.invoiceNumber, amount: $0.amount.formatted, on: $0.appliedOn.description)
                    },
                    unapplied: summary.unapplied.formatted)
            },
            disputes: disputes.map { dispute in
                DisputeLine(
                    invoice: dispute.invoiceNumber, opened: dispute.openedOn.description, code: dispute.reasonCode.rawValue,
                    reason: dispute.reason, amount: dispute.amount.formatted,
                    resolved: dispute.resolvedOn.map { "\($0) (\(dispute.outcome?.rawValue ?? "resolved"))" } ?? "open")
            },
            plans: plans.map { plan in
                let money = { (minor: Int) in Money(amountMinor: Int64(minor), currency: plan.currency).formatted }
                return PlanLine(
                    made: plan.madeOn.description, status: plan.status.rawValue, total: money(plan.totalMinor),
                    instalments: plan.instalments.map { "\($0.dueOn) \(money($0.amountMinor)) \($0.status.rawValue)" }
                        .joined(separator: "; "))
            },
            notes: notes.map { note in
                NoteLine(
                    when: WorklistView.when(note.notedAt, zone: tenant.timeZone), channel: note.channel.rawValue,
                    outcome: note.outcome?.rawValue, author: note.author,
                    promise: note.promise.map { "\($0.amount.formatted) by \($0.date)" }, satisfaction: note.satisfaction,
                    body: note.body)
            },
            outcomes: ContactOutcome.allCases.filter { $0 != .promiseToPay }.map {
                Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " "))
            },
            disputable: disputable.map(\.invoice.number),
            reasonCodes: DisputeReason.allCases.map(\.rawValue))
    }

    static func status(_ status: Client.Status) -> String {
        switch status {
        case .active: "active"
        case .onHold: "on hold"
        case .agency(let name, let placedOn): "placed with \(name) on \(placedOn)"
        case .closed: "closed"
        }
    }
}
