import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

extension DashboardRoutes {
    /// What a successful form says on the client's page (`?done=`).
    static let doneMessages = [
        "call": "The call was logged.", "promise": "The promise to pay was logged.",
        "satisfaction": "The satisfaction score was recorded.", "dispute": "The dispute was opened.",
    ]

    /// A client's form post: the session, its CSRF token (403 without it), the
    /// client (the one 404), then `body`, whose refusal shows on the client's
    /// page (422) with nothing written; success redirects to the page.
    func form(
        _ request: Request, _ context: APIRequestContext, title: String,
        _ body: @escaping @Sendable ([String: String], DashboardSession, Tenant, Client) async throws -> String
    ) async throws -> Response {
        let form = try await Self.form(request)
        return try await signedIn(request, current: "", title: title) { session, tenant, chrome in
            guard let token = form["csrf_token"], DashboardSessions.sameToken(token, session.csrfToken) else {
                throw DashboardError.csrf
            }
            let id = try Self.clientID(context)
            let client: Client
            do {
                client = try await Clients(database: database, tenant: tenant.id).get(id: id)
            } catch let error as ServiceError where error.kind == .notFound {
                throw DashboardError.noSuchClient
            }
            let refusal: String
            do {
                let done = try await body(form, session, tenant, client)
                return DashboardResponses.redirect("/dashboard/clients/\(id.uuidString.lowercased())?done=\(done)")
            } catch let problem as Problem {
                refusal = problem.detail
            } catch let error as ServiceError where error.kind == .invalid || error.kind == .notFound || error.kind == .conflict {
                refusal = error.message
            }
            return try await clientPage(
                tenant: tenant, id: id, chrome: chrome, session: session, status: .unprocessableContent, error: refusal)
        }
    }

    func clientPage(
        tenant: Tenant, id: UUID, chrome: DashboardChrome, session: DashboardSession, status: HTTPResponse.Status,
        error: String? = nil, done: String? = nil
    ) async throws -> Response {
        let view: ClientView
        do {
            view = try await ClientView.make(
                database: database, tenant: tenant, id: id, chrome: chrome, session: session, error: error, done: done)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardError.noSuchClient
        }
        return DashboardResponses.html(status, renderer.render("client", view))
    }

    /// A call, a promise to pay or a satisfaction score, through
    /// `ContactNotes.add` as `POST /v1/clients/{id}/notes` makes it (the
    /// promise's currency by the same rule, `APIServer.promiseCurrency`).
    func logNote(_ form: [String: String], tenant: Tenant, client: Client) async throws -> String {
        let author = Self.field(form, "author")
        let body = Self.field(form, "body")
        let note: NewContactNote
        let kind = form["kind"] ?? ""
        switch kind {
        case "call":
            guard let outcome = Self.field(form, "outcome").flatMap(ContactOutcome.init(rawValue:)), outcome != .promiseToPay else {
                throw Problem.invalid("outcome", "choose what came of the call")
            }
            note = NewContactNote(clientRef: client.ref, channel: .call, author: author, body: body, outcome: outcome)
        case "promise":
            let currency = try await APIServer.promiseCurrency(of: client, tenant: tenant.id, database: database)
            let amount = try RequestFields.money(Self.field(form, "promise_amount") ?? "", currency: currency, field: "promise_amount")
            let date = try RequestFields.date(Self.field(form, "promise_date") ?? "", field: "promise_date")
            note = .promise(clientRef: client.ref, amount: amount, by: date, author: author, body: body)
        case "satisfaction":
            guard let score = Self.field(form, "satisfaction").flatMap({ Int($0) }) else {
                throw Problem.invalid("satisfaction", "must be 1 to 5")
            }
            note = NewContactNote(clientRef: client.ref, channel: .call, author: author, body: body, satisfaction: score)
        default:
            throw Problem.invalid("kind", "must be call, promise or satisfaction")
        }
        _ = try await ContactNotes(database: database, tenant: tenant.id).add(note, actor: Self.actor)
        return kind
    }

    /// A dispute, through `Invoices.dispute` as `POST /v1/invoices/{id}/disputes` opens it.
    func openDispute(_ form: [String: String], tenant: Tenant, client: Client) async throws -> String {
        let invoices = Invoices(database: database, tenant: tenant.id)
        guard let number = Self.field(form, "invoice_number") else { throw Problem.invalid("invoice_number", "choose an invoice") }
        let state = try await invoices.get(number)
        guard state.invoice.clientID == client.id else { throw Problem.invalid("invoice_number", "is not this client's") }
        let date = try RequestFields.date(Self.field(form, "date") ?? "", field: "date")
        let amount = try Self.field(form, "amount").map {
            try RequestFields.money($0, currency: state.invoice.currency, field: "amount")
        }
        let code = Self.field(form, "reason_code").flatMap(DisputeReason.init(rawValue:)) ?? .other
        _ = try await invoices.dispute(
            number, on: date, reasonCode: code, amount: amount, reason: Self.field(form, "reason") ?? "", actor: Self.actor)
        return "dispute"
    }

    /// A form field, nil when absent or blank.
    static func field(_ form: [String: String], _ name: String) -> String? {
        guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
