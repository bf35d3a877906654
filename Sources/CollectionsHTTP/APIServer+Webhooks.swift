import CollectionsService
import Foundation

/// The lender's webhook endpoints: the CLI's `webhook` commands, over HTTP, for
/// the key's tenant (`WebhookEndpoints`).
extension APIServer {
    func createWebhookEndpoint(_ input: Operations.CreateWebhookEndpoint.Input) async throws
        -> Operations.CreateWebhookEndpoint.Output
    {
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let types = (body.events ?? []).compactMap { WebhookEventType(rawValue: $0.rawValue) }
        let created = try await WebhookEndpoints(database: database, tenant: try tenant())
            .create(url: body.url, eventTypes: types, actor: Self.actor)
        return .created(.init(body: .json(.init(endpoint: .init(created.endpoint), secret: created.secret))))
    }

    func listWebhookEndpoints(_ input: Operations.ListWebhookEndpoints.Input) async throws
        -> Operations.ListWebhookEndpoints.Output
    {
        let endpoints = try await WebhookEndpoints(database: database, tenant: try tenant()).list()
        return .ok(.init(body: .json(.init(data: endpoints.map(Components.Schemas.WebhookEndpoint.init)))))
    }

    func disableWebhookEndpoint(_ input: Operations.DisableWebhookEndpoint.Input) async throws
        -> Operations.DisableWebhookEndpoint.Output
    {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let endpoints = WebhookEndpoints(database: database, tenant: try tenant())
        let endpoint = try await Self.notFound("webhook endpoint") {
            try await endpoints.disable(id, reason: body.reason ?? "disabled by the lender", actor: Self.actor)
        }
        return .ok(.init(body: .json(.init(endpoint))))
    }

    func enableWebhookEndpoint(_ input: Operations.EnableWebhookEndpoint.Input) async throws
        -> Operations.EnableWebhookEndpoint.Output
    {
        let id = try RequestFields.id(input.path.id)
        let endpoints = WebhookEndpoints(database: database, tenant: try tenant())
        let endpoint = try await Self.notFound("webhook endpoint") { try await endpoints.enable(id, actor: Self.actor) }
        return .ok(.init(body: .json(.init(endpoint))))
    }

    func replayWebhookEndpoint(_ input: Operations.ReplayWebhookEndpoint.Input) async throws
        -> Operations.ReplayWebhookEndpoint.Output
    {
        let id = try RequestFields.id(input.path.id)
        guard case .json(let body) = input.body else { throw Problem.badRequest("body", "must be JSON") }
        let endpoints = WebhookEndpoints(database: database, tenant: try tenant())
        let queued = try await Self.notFound("webhook endpoint") {
            try await endpoints.replay(id, since: body.since, actor: Self.actor)
        }
        return .ok(.init(body: .json(.init(queued: queued))))
    }
}

extension Components.Schemas.WebhookEndpoint {
    init(_ endpoint: WebhookEndpoint) {
        self.init(
            id: endpoint.id.uuidString.lowercased(), url: endpoint.url,
            events: endpoint.eventTypes.map { .init(rawValue: $0.rawValue)! },
            status: .init(rawValue: endpoint.status.rawValue)!, disabledAt: endpoint.disabledAt,
            disabledReason: endpoint.disabledReason, createdAt: endpoint.createdAt)
    }
}
