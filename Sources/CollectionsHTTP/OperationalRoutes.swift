import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// What needs no key: `/healthz` (the process answers), `/readyz` (the
/// database answers and carries this binary's migrations), `/metrics`
/// (Prometheus text) and `/openapi.yaml` (the document the API is generated
/// from).
struct OperationalRoutes {
    let database: CollectionsDatabase
    let registry: PrometheusCollectorRegistry?

    func add(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ in
            do {
                try await database.requireCurrentSchema()
            } catch let error as ServiceError {
                throw Problem(.serviceUnavailable, "not-ready", detail: error.message, retryAfter: 5)
            } catch {
                throw Problem(.serviceUnavailable, "not-ready", detail: "the database does not answer", retryAfter: 5)
            }
            return Self.text("ready\n")
        }
        router.get("/metrics") { _, _ in
            Self.text(String(decoding: registry?.emitToBuffer() ?? [], as: UTF8.self), type: "text/plain; version=0.0.4")
        }
        router.get("/openapi.yaml") { _, _ in Self.text(OpenAPIDocument.yaml + "\n", type: "application/yaml") }
    }

    static func text(_ text: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
