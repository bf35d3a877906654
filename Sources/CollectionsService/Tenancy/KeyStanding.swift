public import Foundation

/// What a presented API key opens: a tenant's door, a suspended tenant's
/// (closed), or nothing.
public enum KeyStanding: Sendable, Equatable {
    /// A live key of an active tenant.
    case tenant(UUID)
    /// A live key an agency was issued by an active tenant: only the accounts
    /// placed with the agency.
    case agency(tenant: UUID, agency: UUID)
    /// A key-shaped credential naming a tenant that exists and is suspended.
    case suspended
    /// Malformed, unknown or revoked, or naming no tenant: all alike.
    case none
}
