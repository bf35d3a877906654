import Foundation
import Postgres

/// Posting that also says whether the answer was a replay or a refused key, for
/// callers that must tell their own caller so (the HTTP API's
/// `Idempotent-Replayed: true`, and its 422 for a key used for another body).
extension Payments {
    public enum Answer: Sendable {
        case posted(PaymentSummary)
        /// The same request was posted before under the key: its stored result,
        /// nothing written now.
        case replayed(PaymentSummary)
        /// The key was used for a different request: nothing written.
        case keyUsedForAnotherRequest
    }

    /// The one posting path (`post` calls it too), telling a replay and a reused key apart.
    public func postAnswering(_ request: PaymentRequest, idempotencyKey: String, actor: String) async throws -> Answer {
        let actor = try Check.actor(actor)
        let key = try Check.text(idempotencyKey, "the idempotency key", 1...200)
        let checked = try CheckedPayment(request)
        return try await database.ledger(tenant) { tx in
            try await Self.post(checked, idempotencyKey: key, actor: actor, tenant: tenant, in: tx)
        }
    }
}
