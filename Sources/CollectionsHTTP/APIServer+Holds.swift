import CollectionsService
import Foundation
import Postgres

extension APIServer {
    func placeHold(_ input: Operations.PlaceHold.Input) async throws -> Operations.PlaceHold.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        guard let kind = ClientHold.Kind(rawValue: body.kind.rawValue) else { throw Problem.invalid("kind", "unknown hold kind") }
        let hold = try await ClientHolds(database: database, tenant: tenantID).place(
            clientRef: client.ref, kind: kind, startsOn: try RequestFields.optionalDate(body.startsOn, field: "starts_on"),
            note: body.note, actor: Self.actor)
        return .created(.init(body: .json(.init(hold))))
    }

    func listHolds(_ input: Operations.ListHolds.Input) async throws -> Operations.ListHolds.Output {
        let id = try RequestFields.id(input.path.id)
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        let holds = try await ClientHolds(database: database, tenant: tenantID).list(clientRef: client.ref)
        return .ok(.init(body: .json(.init(data: holds.map(Components.Schemas.Hold.init)))))
    }

    func endHold(_ input: Operations.EndHold.Input) async throws -> Operations.EndHold.Output {
        let id = try RequestFields.id(input.path.id)
        let holdID = try RequestFields.id(input.path.holdId)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        // A hold of another client (or tenant) is as missing as one never placed.
        let hold = try await Self.notFound("hold") {
            try await ClientHolds(database: database, tenant: tenantID).end(
                holdID, clientRef: client.ref, endsOn: try RequestFields.optionalDate(body.endsOn, field: "ends_on"),
                actor: Self.actor)
        }
        return .ok(.init(body: .json(.init(hold))))
    }

    func recordConsent(_ input: Operations.RecordConsent.Input) async throws -> Operations.RecordConsent.Output {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        guard let channel = DunningChannel(rawValue: body.channel.rawValue) else { throw Problem.invalid("channel", "unknown channel") }
        // An address that is blank or has control characters is not "all of the
        // client's" (that is no address at all): refused, as the schema says.
        if let address = body.address,
           address.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            || address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw Problem.invalid("address", "must be an email address or phone number; omit it for all of the client's")
        }
        let record = try await ContactPermissions(database: database, tenant: tenantID).record(
            .init(channel: channel, address: body.address, granted: body.granted, source: body.source,
                  recordedAt: body.recordedAt),
            clientRef: client.ref, actor: Self.actor)
        return .created(.init(body: .json(.init(record))))
    }

    func listConsents(_ input: Operations.ListConsents.Input) async throws -> Operations.ListConsents.Output {
        let id = try RequestFields.id(input.path.id)
        let tenantID = try tenant()
        let client = try await Self.notFound("client") { try await Clients(database: database, tenant: tenantID).get(id: id) }
        let records = try await ContactPermissions(database: database, tenant: tenantID).list(clientRef: client.ref)
        return .ok(.init(body: .json(.init(data: records.map(Components.Schemas.Consent.init)))))
    }
}

extension Components.Schemas.Hold {
    init(_ hold: ClientHold) {
        self.init(
            id: hold.id.uuidString.lowercased(), clientRef: hold.clientRef, kind: .init(rawValue: hold.kind.rawValue)!,
            startsOn: hold.startsOn.description, endsOn: hold.endsOn?.description, note: hold.note,
            recordedBy: hold.recordedBy, createdAt: hold.createdAt)
    }
}

extension Components.Schemas.Consent {
    init(_ record: ContactPermission) {
        self.init(
            id: record.id.uuidString.lowercased(), clientRef: record.clientRef, channel: .init(rawValue: record.channel.rawValue)!,
            address: record.address, granted: record.granted, source: record.source, recordedAt: record.recordedAt,
            createdAt: record.createdAt)
    }
}
