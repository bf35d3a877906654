import CollectionsService
import Crypto
import Foundation
import HTTPTypes
import Postgres

extension APIServer {
    /// Posts through the one posting path (`Payments.postAnswering`, as the
    /// import does), under the `Idempotency-Key` header's key, else the payment's
    /// reference; the service claims the key in the posting's own transaction.
    func createPayment(_ input: Operations.CreatePayment.Input) async throws -> Operations.CreatePayment.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let key = try Self.paymentKey(header: input.headers.idempotencyKey, reference: body.reference)
        let amount = try RequestFields.money(body.amount, currency: body.currency, field: "amount")
        let request = PaymentRequest(
            clientRef: body.clientRef, reference: body.reference, amount: amount,
            receivedOn: try RequestFields.date(body.receivedOn, field: "received_on"),
            allocation: body.invoiceNumber.map { .explicit([InvoiceAmount(invoiceNumber: $0, amount: amount)]) } ?? .automatic)
        let payments = Payments(database: database, tenant: try tenant())
        switch try await payments.postAnswering(request, idempotencyKey: key, actor: Self.actor) {
        case .posted(let summary):
            return .created(.init(body: .json(.init(summary))))
        case .replayed(let summary):
            return .created(.init(headers: .init(idempotentReplayed: "true"), body: .json(.init(summary))))
        case .keyUsedForAnotherRequest:
            throw Problem(.unprocessableContent, "idempotency-key-reused",
                          detail: "the idempotency key was already used for a different request; nothing was changed",
                          errors: [Problem.Item(field: input.headers.idempotencyKey == nil ? "reference" : "Idempotency-Key",
                                                reason: "used for a different request")])
        }
    }

    /// The key a payment is posted under: the header's (checked as every POST's;
    /// one longer than the 200 characters the key table holds is stored as its
    /// SHA-256), else the reference.
    static func paymentKey(header: String?, reference: String) throws -> String {
        guard let header else { return reference }
        _ = try IdempotencyMiddleware.checked(header)
        guard header.utf8.count > 200 else { return header }
        return "sha256:" + SHA256.hash(data: Data(header.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        let payments = Payments(database: database, tenant: try tenant())
        let page = try await payments.list(
            after: try ListCursor.decode(input.query.startingAfter), limit: try ListCursor.limit(input.query.limit))
        return .ok(.init(body: .json(.init(
            data: page.items.map { Components.Schemas.Payment($0) }, hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }

    func getPayment(_ input: Operations.GetPayment.Input) async throws -> Operations.GetPayment.Output {
        let id = try RequestFields.id(input.path.id)
        let payments = Payments(database: database, tenant: try tenant())
        let summary = try await Self.notFound("payment") { try await payments.get(try await payments.reference(of: id)) }
        return .ok(.init(body: .json(.init(summary))))
    }

    func reversePayment(_ input: Operations.ReversePayment.Input) async throws -> Operations.ReversePayment.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let date = try RequestFields.date(body.date, field: "date")
        let payments = Payments(database: database, tenant: try tenant())
        let reference = try await Self.notFound("payment") { try await payments.reference(of: id) }
        _ = try await payments.reverse(reference, on: date, reason: body.reason, actor: Self.actor)
        return .ok(.init(body: .json(.init(try await payments.get(reference)))))
    }
}

extension Components.Schemas.Payment {
    init(_ payment: Payment, applications: [PaymentApplication]? = nil, unapplied: Money? = nil) {
        self.init(
            id: payment.id.uuidString.lowercased(), clientRef: payment.clientRef, reference: payment.reference,
            currency: payment.amount.currency, amountMinor: payment.amount.amountMinor,
            receivedOn: payment.receivedOn.description, reversedOn: payment.reversedOn?.description,
            applications: applications?.map {
                .init(invoiceNumber: $0.invoiceNumber, amountMinor: $0.amount.amountMinor, appliedOn: $0.appliedOn.description)
            },
            unappliedMinor: unapplied?.amountMinor)
    }

    init(_ summary: PaymentSummary) {
        self.init(summary.payment, applications: summary.applications, unapplied: summary.unapplied)
    }
}
