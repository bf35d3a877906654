import Foundation
import Postgres

extension CollectionsDatabase {
    /// `withTenant`, with constraint violations turned into `ServiceError`s.
    func ledger<T>(
        _ tenant: UUID, readOnly: Bool = false, reporting: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withTenant(tenant, readOnly: readOnly, reporting: reporting, body)
        } catch let error as PostgresError {
            if let mapped = ServiceError.constraintViolation(error) { throw mapped }
            throw error
        }
    }
}
