import Postgres

extension CollectionsDatabase {
    /// Refuses, in words, a login that could reach past row-level security: a
    /// superuser, a BYPASSRLS role, or a member of `collections_owner` (which owns
    /// the tables and may alter their policies). A program serving tenants (the
    /// HTTP server) checks this before it serves anything (DESIGN.md "Tenancy
    /// recipe": it refuses to start as either).
    public func requireLeastPrivilege() async throws {
        let row = try await pool.transaction(readOnly: true) { tx in
            try await tx.query("""
                SELECT current_user::text AS login, r.rolsuper, r.rolbypassrls,
                       pg_has_role(current_user, 'collections_owner', 'MEMBER') AS owner
                FROM pg_roles r WHERE r.rolname = current_user
                """)[0]
        }
        let login: String = try row["login"]
        if try row["rolsuper", as: Bool.self] {
            throw ServiceError(.refused, "refusing to serve as \(login), a superuser: connect as collections_server_login (deploy/sql/logins.sql)")
        }
        if try row["rolbypassrls", as: Bool.self] {
            throw ServiceError(.refused, "refusing to serve as \(login), which bypasses row-level security: connect as collections_server_login")
        }
        if try row["owner", as: Bool.self] {
            throw ServiceError(.refused, "refusing to serve as \(login), a member of collections_owner: connect as collections_server_login")
        }
    }
}
