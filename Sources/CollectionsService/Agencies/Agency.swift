public import Foundation
package import Postgres

/// A collections agency a lender places accounts with, and the commission it
/// earns on what it collects, in basis points (1 bp = 0.01%).
public struct Agency: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    public var commissionBP: Int

    package static let columns = "a.id, a.name, a.commission_bp"

    package init(row: PostgresRow) throws {
        id = try row["id"]
        name = try row["name"]
        commissionBP = Int(try row["commission_bp"] as Int32)
    }
}
