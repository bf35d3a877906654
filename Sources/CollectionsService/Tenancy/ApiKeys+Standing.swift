import Foundation
import Postgres

extension ApiKeys {
    /// `verify`, and for a key it refuses, whether the tenant the key names is
    /// suspended, so the HTTP API answers 403 there and the one 401 elsewhere.
    ///
    /// While a tenant is suspended row-level security hides its keys from the app
    /// role, so the key itself cannot be checked: only the tenant id written in it
    /// is looked up (its own `tenants` row, which the app role may read with that
    /// tenant set, whatever its status). What the 403 tells is therefore "the
    /// tenant this id names is suspended", to a caller who presents a 128-bit
    /// random tenant id, which only someone who held one of its keys knows; a
    /// made-up id gets the 401 of any unknown key. The tenant is set as
    /// `withTenant` sets it, without its active-tenant guard (which is the very
    /// thing asked here).
    public func standing(of presented: String) async throws -> KeyStanding {
        if let scope = try await verifiedScope(presented) {
            if let agency = scope.agency { return .agency(tenant: scope.tenant, agency: agency) }
            return .tenant(scope.tenant)
        }
        guard let tenant = Self.tenantNamed(in: presented) else { return .none }
        let status = try await database.pool.transaction(readOnly: true) { tx in
            try await tx.simpleQuery("SET LOCAL ROLE collections_app; \(SQL.setLocal("app.tenant_id", to: tenant))")
            return try await tx.query("SELECT t.status FROM tenants t WHERE t.id = \(tenant)").first?.decode(String.self, at: 0)
        }
        return status == "suspended" ? .suspended : .none
    }

    /// The tenant id a well-formed key names (`ck_<32 hex>_<48 hex>`), unchecked.
    static func tenantNamed(in presented: String) -> UUID? {
        let parts = presented.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ck", parts[1].count == 32, parts[2].count == 48,
              parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit) else { return nil }
        return tenantID(hex: parts[1])
    }
}
