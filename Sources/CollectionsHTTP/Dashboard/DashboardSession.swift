import Foundation

/// A signed-in dashboard session, as looked up from its cookie: whose book it
/// opens (the tenant, and the agency when it came from an agency's key) and
/// the token its forms must carry.
struct DashboardSession: Sendable, Equatable {
    var id: UUID
    var tenant: UUID
    /// The agency of the key it came from: its work runs as that agency, which
    /// the database holds to the accounts placed with it (sql/0018-0020).
    var agency: UUID?
    /// The session's CSRF token, hex: every form posts it back.
    var csrfToken: String
}
