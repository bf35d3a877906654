import CollectionsService
import Foundation

extension APIServer {
    func createClient(_ input: Operations.CreateClient.Input) async throws -> Operations.CreateClient.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let clients = Clients(database: database, tenant: try tenant())
        var limit: Money?
        if let text = body.creditLimit {
            guard let currency = body.currency else { throw Problem.invalid("currency", "a credit limit needs a currency") }
            limit = try RequestFields.money(text, currency: currency, field: "credit_limit")
        }
        let new = NewClient(
            ref: body.ref, name: body.name, email: body.email, phone: body.phone,
            paymentTermsDays: body.paymentTermsDays ?? 30, currency: body.currency, creditLimit: limit,
            kind: body.kind.flatMap { ClientKind(rawValue: $0.rawValue) }, timeZone: body.timeZone,
            smsConsent: body.smsConsent == .yes)
        let client = try await clients.create(new, actor: Self.actor)
        return .created(.init(body: .json(.init(client))))
    }

    func listClients(_ input: Operations.ListClients.Input) async throws -> Operations.ListClients.Output {
        let clients = Clients(database: database, tenant: try tenant())
        let limit = try ListCursor.limit(input.query.limit)
        let after = try ListCursor.decode(input.query.startingAfter)
        if let ref = input.query.ref {
            guard (1...64).contains(ref.count),
                  !ref.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
                throw Problem.badRequest("ref", "must be 1-64 characters without control characters")
            }
            // One client or none: an exact ref, not a search.
            let found: [Client]
            do {
                found = [try await clients.get(ref)]
            } catch let error as ServiceError where error.kind == .notFound {
                found = []
            }
            let page = found.filter { after == nil || $0.ref > after! }
            return .ok(.init(body: .json(.init(data: page.map(Components.Schemas.Client.init), hasMore: false, nextCursor: nil))))
        }
        let page = try await clients.list(after: after, limit: limit)
        return .ok(.init(body: .json(.init(
            data: page.items.map(Components.Schemas.Client.init), hasMore: page.nextCursor != nil,
            nextCursor: ListCursor.encode(page.nextCursor)))))
    }

    func getClient(_ input: Operations.GetClient.Input) async throws -> Operations.GetClient.Output {
        let id = try RequestFields.id(input.path.id)
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: try tenant()).get(id: id) }
        return .ok(.init(body: .json(.init(client))))
    }

    func updateClient(_ input: Operations.UpdateClient.Input) async throws -> Operations.UpdateClient.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let clients = Clients(database: database, tenant: try tenant())
        let before = try await Self.notFound("client") { try await clients.get(id: id) }
        var changes = ClientChanges()
        changes.name = body.name
        if let email = body.email { changes.email = .some(email) }
        if let phone = body.phone { changes.phone = .some(phone) }
        changes.paymentTermsDays = body.paymentTermsDays
        changes.doNotContact = body.doNotContact
        if let currency = body.currency { changes.currency = .some(currency) }
        if let kind = body.kind { changes.kind = .some(ClientKind(rawValue: kind.rawValue)) }
        if let zone = body.timeZone { changes.timeZone = .some(zone) }
        if let text = body.creditLimit {
            guard let currency = body.currency ?? before.currency else {
                throw Problem.invalid("currency", "a credit limit needs a currency")
            }
            changes.creditLimit = .some(try RequestFields.money(text, currency: currency, field: "credit_limit"))
        }
        let client = try await clients.update(before.ref, changes, actor: Self.actor)
        return .ok(.init(body: .json(.init(client))))
    }

    /// Runs `body`, answering a missing thing with the one 404 of its kind: the
    /// same bytes whether the id never existed or is another tenant's.
    static func notFound<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ServiceError where error.kind == .notFound {
            throw Problem.notFound(what)
        }
    }
}

extension Components.Schemas.Client {
    init(_ client: Client) {
        let status: StatusPayload
        switch client.status {
        case .active: status = .active
        case .onHold: status = .onHold
        case .agency: status = .agency
        case .closed: status = .closed
        }
        self.init(
            id: client.id.uuidString.lowercased(), ref: client.ref, name: client.name, email: client.email, phone: client.phone,
            paymentTermsDays: client.paymentTermsDays, currency: client.currency, creditLimitMinor: client.creditLimitMinor,
            status: status, doNotContact: client.doNotContact,
            kind: client.kind.flatMap { KindPayload(rawValue: $0.rawValue) }, timeZone: client.timeZone,
            createdAt: client.createdAt, updatedAt: client.updatedAt)
    }
}
