import CollectionsService
import Foundation

/// The generated API's handlers (`APIProtocol`, from openapi/openapi.yaml):
/// each reads its input with the import files' rules, calls the service
/// library for the request's tenant (`RequestTenant`, set by `AuthMiddleware`),
/// and writes the answer. Refusals are thrown (`Problem`, `ServiceError`) and
/// become problem documents in `RequestLogMiddleware`; nothing here decides a
/// business rule.
struct APIServer: Sendable {
    let database: CollectionsDatabase
    /// The tenants' settings, for the operations that need more than the id (plans: the grace days).
    let tenants: TenantCache
    /// Who the audit log says acted: the API, with the key's tenant.
    static let actor = "api"

    func tenant() throws -> UUID { try RequestTenant.required() }

    /// "true" for a replayed answer, else no header.
    static func replayed(_ flag: Bool) -> String? { flag ? "true" : nil }
}
