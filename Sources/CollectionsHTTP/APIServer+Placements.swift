import CollectionsService
import Foundation
import Postgres

/// Placements with collections agencies: the CLI's `placement create` and
/// `placement list`, over HTTP, for the key's tenant (`Agencies`). An agency's
/// own key is refused by its role's grants (403).
extension APIServer {
    func createPlacement(_ input: Operations.CreatePlacement.Input) async throws -> Operations.CreatePlacement.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let placedOn = try body.placedOn.map { try RequestFields.date($0, field: "placed_on") }
        let placement = try await Agencies(database: database, tenant: try tenant()).place(
            clientRef: body.clientRef, agency: body.agency, invoiceNumbers: body.invoices, on: placedOn, actor: Self.actor)
        return .created(.init(body: .json(.init(placement))))
    }

    func listPlacements(_ input: Operations.ListPlacements.Input) async throws -> Operations.ListPlacements.Output {
        let page = try await Agencies(database: database, tenant: try tenant()).page(
            after: try ListCursor.decode(input.query.startingAfter), limit: try ListCursor.limit(input.query.limit))
        return .ok(.init(body: .json(.init(
            data: page.placements.map(Components.Schemas.Placement.init), hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }
}

extension Components.Schemas.Placement {
    init(_ placement: Placement) {
        self.init(
            id: placement.id.uuidString.lowercased(), clientRef: placement.clientRef, agency: placement.agency,
            wholeClient: placement.wholeClient, placedOn: placement.placedOn.description,
            recalledOn: placement.recalledOn?.description,
            invoices: placement.invoices.map {
                .init(number: $0.number, currency: $0.placed.currency, placedMinor: $0.placed.amountMinor)
            },
            collected: placement.collected.map { .init(currency: $0.currency, amountMinor: $0.amountMinor) },
            commission: placement.commission.map { .init(currency: $0.currency, amountMinor: $0.amountMinor) })
    }
}
