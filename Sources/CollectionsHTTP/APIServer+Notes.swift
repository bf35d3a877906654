import CollectionsService
import Foundation
import Postgres

extension APIServer {
    /// A contact note, with the notes import file's columns (the client is the
    /// path's); a promise's amount is in the client's currency, else the
    /// tenant's default, as the import reads it.
    func createNote(_ input: Operations.CreateNote.Input) async throws -> Operations.CreateNote.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        var promise: Money?
        if let text = body.promiseAmount {
            let currency = try await Self.promiseCurrency(of: client, tenant: tenantID, database: database)
            promise = try RequestFields.money(text, currency: currency, field: "promise_amount")
        }
        guard let channel = ContactChannel(rawValue: body.channel.rawValue) else {
            throw Problem.invalid("channel", "unknown channel")
        }
        let new = NewContactNote(
            clientRef: client.ref, channel: channel,
            direction: body.direction.flatMap { ContactDirection(rawValue: $0.rawValue) } ?? .outbound, author: body.author, body: body.body,
            outcome: body.outcome.flatMap { ContactOutcome(rawValue: $0.rawValue) }, promiseAmount: promise,
            promiseDate: try RequestFields.optionalDate(body.promiseDate, field: "promise_date"),
            satisfaction: body.satisfaction, notedAt: body.notedAt)
        let note = try await ContactNotes(database: database, tenant: tenantID).add(new, actor: Self.actor)
        return .created(.init(body: .json(.init(note))))
    }

    /// The currency of a promise the client makes: its own, else the tenant's
    /// default, as the notes import reads it (the API and the dashboard alike).
    static func promiseCurrency(of client: Client, tenant: UUID, database: CollectionsDatabase) async throws -> String {
        if let own = client.currency { return own }
        if let fallback = try await Tenant.own(tenant, database: database).defaultCurrency { return fallback }
        throw Problem.invalid("promise_amount", "client \(client.ref) has no currency and the tenant has no default currency, so the promise has none")
    }

    func listNotes(_ input: Operations.ListNotes.Input) async throws -> Operations.ListNotes.Output {
        let id = try RequestFields.id(input.path.id)
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        let page = try await ContactNotes(database: database, tenant: tenantID).list(
            clientRef: client.ref, after: try ListCursor.decode(input.query.startingAfter),
            limit: try ListCursor.limit(input.query.limit))
        return .ok(.init(body: .json(.init(
            data: page.items.map(Components.Schemas.Note.init), hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }
}

extension Components.Schemas.Note {
    init(_ note: ContactNote) {
        self.init(
            id: note.id.uuidString.lowercased(), clientRef: note.clientRef, notedAt: note.notedAt,
            notedOn: note.notedOn.description, channel: note.channel.rawValue, author: note.author, body: note.body,
            outcome: note.outcome?.rawValue, promiseAmountMinor: note.promise?.amount.amountMinor,
            promiseCurrency: note.promise?.amount.currency, promiseDate: note.promise?.date.description,
            satisfaction: note.satisfaction)
    }
}
