import Foundation

/// Whom a debt is owed by, for the contact rules: a consumer's debts (payday and
/// title loans, usually) follow Regulation F, a business's the tenant's caps
/// (DESIGN.md "Dunning and contact rules"). Same values as sql/0014.
public enum ClientKind: String, Sendable, Codable, CaseIterable {
    case consumer, commercial
}
