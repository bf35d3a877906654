import CollectionsService
import Foundation
import Postgres

/// `/v1/plans`: payment plans, made, listed, shown and cancelled through
/// `PaymentPlans` for the key's tenant.
extension APIServer {
    func createPlan(_ input: Operations.CreatePlan.Input) async throws -> Operations.CreatePlan.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        guard let every = PlanFrequency(rawValue: body.every.rawValue) else { throw Problem.invalid("every", "must be week, 2weeks or month") }
        let plans = PaymentPlans(database: database, tenant: try await tenants.tenant(try tenant()))
        let plan = try await plans.create(
            .init(clientRef: body.clientRef, instalments: body.instalments, every: every,
                  startOn: try RequestFields.date(body.startOn, field: "start_on"), invoiceNumbers: body.invoiceNumbers,
                  madeOn: try RequestFields.optionalDate(body.madeOn, field: "made_on")),
            actor: Self.actor)
        return .created(.init(body: .json(.init(plan))))
    }

    func listPlans(_ input: Operations.ListPlans.Input) async throws -> Operations.ListPlans.Output {
        let plans = PaymentPlans(database: database, tenant: try await tenants.tenant(try tenant()))
        let page = try await plans.page(
            asOf: try RequestFields.optionalDate(input.query.asOf, field: "as_of"), clientRef: input.query.clientRef,
            after: try ListCursor.decode(input.query.startingAfter), limit: try ListCursor.limit(input.query.limit))
        return .ok(.init(body: .json(.init(
            data: page.plans.map(Components.Schemas.Plan.init), hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }

    func getPlan(_ input: Operations.GetPlan.Input) async throws -> Operations.GetPlan.Output {
        let id = try RequestFields.id(input.path.id)
        let plans = PaymentPlans(database: database, tenant: try await tenants.tenant(try tenant()))
        let plan = try await Self.notFound("plan") {
            try await plans.show(id, asOf: try RequestFields.optionalDate(input.query.asOf, field: "as_of"))
        }
        return .ok(.init(body: .json(.init(plan))))
    }

    func cancelPlan(_ input: Operations.CancelPlan.Input) async throws -> Operations.CancelPlan.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let plans = PaymentPlans(database: database, tenant: try await tenants.tenant(try tenant()))
        let plan = try await Self.notFound("plan") {
            try await plans.cancel(id, on: try RequestFields.optionalDate(body.on, field: "on"), reason: body.reason, actor: Self.actor)
        }
        return .ok(.init(body: .json(.init(plan))))
    }
}

extension Components.Schemas.Plan {
    init(_ plan: PaymentPlan) {
        self.init(
            id: plan.id.uuidString.lowercased(), clientRef: plan.clientRef, status: .init(rawValue: plan.status.rawValue)!,
            currency: plan.currency, totalMinor: Int64(plan.totalMinor),
            instalments: plan.instalments.map {
                .init(seq: $0.seq, dueOn: $0.dueOn.description, amountMinor: Int64($0.amountMinor),
                      paidMinor: Int64($0.paidMinor), status: .init(rawValue: $0.status.rawValue)!,
                      missedOn: $0.missedOn?.description)
            },
            asOf: plan.asOf.description, frequency: .init(rawValue: plan.frequency.rawValue)!,
            startOn: plan.startOn.description, madeOn: plan.madeOn.description, invoices: plan.invoices,
            defaultedOn: plan.defaultedOn?.description, keptOn: plan.keptOn?.description,
            cancelledOn: plan.cancelledOn?.description, cancelReason: plan.cancelReason)
    }
}
