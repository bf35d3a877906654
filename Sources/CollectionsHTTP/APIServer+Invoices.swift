import CollectionsService
import Foundation
import Postgres

extension APIServer {
    func createInvoice(_ input: Operations.CreateInvoice.Input) async throws -> Operations.CreateInvoice.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let invoices = Invoices(database: database, tenant: try tenant())
        let new = NewInvoice(
            clientRef: body.clientRef, number: body.number,
            amount: try RequestFields.money(body.amount, currency: body.currency, field: "amount"),
            issuedOn: try RequestFields.date(body.issuedOn, field: "issued_on"),
            dueOn: try RequestFields.optionalDate(body.dueOn, field: "due_on"))
        let invoice = try await invoices.create(new, actor: Self.actor)
        let state = try await invoices.get(id: invoice.id)
        return .created(.init(body: .json(.init(state))))
    }

    func listInvoices(_ input: Operations.ListInvoices.Input) async throws -> Operations.ListInvoices.Output {
        let invoices = Invoices(database: database, tenant: try tenant())
        let page = try await invoices.list(
            after: try ListCursor.decode(input.query.startingAfter), limit: try ListCursor.limit(input.query.limit))
        return .ok(.init(body: .json(.init(
            data: page.items.map(Components.Schemas.Invoice.init), hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }

    func getInvoice(_ input: Operations.GetInvoice.Input) async throws -> Operations.GetInvoice.Output {
        let id = try RequestFields.id(input.path.id)
        let state = try await Self.notFound("invoice") { try await Invoices(database: database, tenant: try tenant()).get(id: id) }
        return .ok(.init(body: .json(.init(state))))
    }

    func voidInvoice(_ input: Operations.VoidInvoice.Input) async throws -> Operations.VoidInvoice.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let date = try RequestFields.date(body.date, field: "date")
        let invoices = Invoices(database: database, tenant: try tenant())
        let number = try await Self.notFound("invoice") { try await invoices.number(of: id) }
        _ = try await invoices.void(number, on: date, reason: body.reason, actor: Self.actor)
        return .ok(.init(body: .json(.init(try await invoices.get(id: id)))))
    }

    func writeOffInvoice(_ input: Operations.WriteOffInvoice.Input) async throws -> Operations.WriteOffInvoice.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let date = try RequestFields.date(body.date, field: "date")
        let invoices = Invoices(database: database, tenant: try tenant())
        let state = try await Self.notFound("invoice") { try await invoices.get(id: id) }
        let amount = try body.amount.map { try RequestFields.money($0, currency: state.invoice.currency, field: "amount") }
        let writeOff = try await invoices.writeOff(state.invoice.number, amount: amount, on: date, reason: body.reason, actor: Self.actor)
        return .created(.init(body: .json(.init(
            id: writeOff.id.uuidString.lowercased(), invoiceNumber: writeOff.invoiceNumber, currency: writeOff.amount.currency,
            amountMinor: writeOff.amount.amountMinor, writtenOffOn: writeOff.writtenOffOn.description, reason: writeOff.reason))))
    }

    func disputeInvoice(_ input: Operations.DisputeInvoice.Input) async throws -> Operations.DisputeInvoice.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let date = try RequestFields.date(body.date, field: "date")
        let invoices = Invoices(database: database, tenant: try tenant())
        let state = try await Self.notFound("invoice") { try await invoices.get(id: id) }
        let amount = try body.amount.map { try RequestFields.money($0, currency: state.invoice.currency, field: "amount") }
        let reasonCode = body.reasonCode.flatMap { DisputeReason(rawValue: $0.rawValue) } ?? .other
        let dispute = try await invoices.dispute(
            state.invoice.number, on: date, reasonCode: reasonCode, amount: amount, reason: body.reason, actor: Self.actor)
        return .created(.init(body: .json(.init(dispute))))
    }

    func resolveInvoiceDispute(
        _ input: Operations.ResolveInvoiceDispute.Input
    ) async throws -> Operations.ResolveInvoiceDispute.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let date = try RequestFields.date(body.date, field: "date")
        guard let outcome = DisputeOutcome(rawValue: body.outcome.rawValue) else {
            throw Problem.invalid("outcome", "must be one of \(DisputeOutcome.list)")
        }
        let invoices = Invoices(database: database, tenant: try tenant())
        let number = try await Self.notFound("invoice") { try await invoices.number(of: id) }
        let dispute = try await invoices.resolveDispute(
            number, on: date, outcome: outcome, resolution: body.resolution, actor: Self.actor)
        return .ok(.init(body: .json(.init(dispute))))
    }
}

extension Components.Schemas.Dispute {
    init(_ dispute: CollectionsService.Dispute) {
        self.init(
            id: dispute.id.uuidString.lowercased(), invoiceNumber: dispute.invoiceNumber, openedOn: dispute.openedOn.description,
            reasonCode: .init(rawValue: dispute.reasonCode.rawValue)!, reason: dispute.reason,
            currency: dispute.amount.currency, amountMinor: dispute.amount.amountMinor,
            resolvedOn: dispute.resolvedOn?.description, outcome: dispute.outcome.flatMap { .init(rawValue: $0.rawValue) },
            resolution: dispute.resolution, writeOffId: dispute.writeOffID?.uuidString.lowercased())
    }
}

extension Components.Schemas.Invoice {
    init(_ state: InvoiceState) {
        let invoice = state.invoice
        let status: StatusPayload =
            switch state.status {
            case .notIssued: .notIssued
            case .open: .open
            case .disputed: .disputed
            case .paid: .paid
            case .writtenOff: .writtenOff
            case .credited: .credited
            case .void: .void
            }
        self.init(
            id: invoice.id.uuidString.lowercased(), clientId: invoice.clientID.uuidString.lowercased(),
            clientRef: invoice.clientRef, number: invoice.number, currency: invoice.currency, amountMinor: invoice.amountMinor,
            issuedOn: invoice.issuedOn.description, dueOn: invoice.dueOn.description, voidedOn: invoice.voidedOn?.description,
            asOf: state.asOf.description, balanceMinor: state.balance.amountMinor, status: status, disputed: state.disputed, disputedMinor: state.disputedMinor,
            daysPastDue: state.daysPastDue)
    }
}
