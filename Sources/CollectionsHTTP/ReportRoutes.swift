import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

import Postgres

/// `GET /v1/reports/ageing|kpis|worklist|reminders|dunning-plan|deliveries?as_of=DATE` (the worklist
/// also `&collector=&team=`): the bytes
/// `collections-admin report ... --format json` prints for the same tenant and
/// day, through the same service calls and `ReportJSON`. Routed by hand, not
/// generated: a generated handler re-encodes its typed answer with its own
/// encoder, and these answers are the CLI's document exactly.
struct ReportRoutes {
    let database: CollectionsDatabase
    let limits: HTTPLimits
    let tenants: TenantCache

    func add(to router: Router<APIRequestContext>) {
        router.get("/v1/reports/ageing") { request, _ in
            try await answer(request) { tenant, asOf in
                let day = try await StoredReports.day(asOf, tenant: tenant, database: database)
                return try ReportJSON.document(try await StoredReports.ageing(database: database, tenant: tenant, asOf: day))
            }
        }
        router.get("/v1/reports/kpis") { request, _ in
            try await answer(request) { tenant, asOf in
                let day = try await StoredReports.day(asOf, tenant: tenant, database: database)
                return try ReportJSON.document(try await StoredReports.kpis(database: database, tenant: tenant, asOf: day))
            }
        }
        router.get("/v1/reports/worklist") { request, _ in
            // `?collector=` and `?team=`: the CLI's --collector and --team.
            let collector = request.uri.queryParameters.get("collector")
            let team = request.uri.queryParameters.get("team")
            // Present but empty names nobody: refused, not read as "everyone".
            for (field, value) in [("collector", collector), ("team", team)] where value?.isEmpty == true {
                throw Problem.invalid(field, "must name a \(field), not be empty")
            }
            return try await answer(request) { tenant, asOf in
                try ReportJSON.document(try await Worklist(database: database, tenant: tenant.id).compute(
                    asOf: asOf, collector: collector, team: team, limit: 50))
            }
        }
        router.get("/v1/reports/dunning-plan") { request, _ in
            try await answer(request) { tenant, asOf in
                try ReportJSON.document(try await DunningPlans(database: database, tenant: tenant).plan(on: asOf))
            }
        }
        router.get("/v1/reports/deliveries") { request, _ in
            try await answer(request) { tenant, asOf in
                try ReportJSON.document(try await DeliveryReport.make(database: database, tenant: tenant, on: asOf))
            }
        }
        router.get("/v1/reports/reminders") { request, _ in
            try await answer(request) { tenant, asOf in
                try ReportJSON.document(try await Reminders(database: database, tenant: tenant.id).scheduled(on: asOf).reminders)
            }
        }
    }

    private func answer(
        _ request: Request, _ body: @escaping @Sendable (Tenant, CalendarDate?) async throws -> Data
    ) async throws -> Response {
        let tenantID = try RequestTenant.required()
        let asOf = try request.uri.queryParameters.get("as_of").map { text in
            guard text.utf8.count == 10, let date = CalendarDate(text) else {
                throw Problem.badRequest("as_of", "is not a date (YYYY-MM-DD)")
            }
            return date
        }
        let data = try await withDeadline(limits.requestTimeout) {
            try await body(try await tenants.tenant(tenantID), asOf)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
